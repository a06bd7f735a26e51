import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-http-bearer';
import type { AdminActor } from '@llmp/common';
import { AdminUserRepository } from '../users/admin-user.repository';
import { AdminTokenService } from './admin-token.service';
import { MasterKeyService } from './master-key.service';

/** `Authorization: Bearer <master key | admin session token>`. */
@Injectable()
export class AdminBearerStrategy extends PassportStrategy(Strategy, 'admin-bearer') {
  constructor(
    private readonly masterKey: MasterKeyService,
    private readonly tokens: AdminTokenService,
    private readonly users: AdminUserRepository,
  ) {
    super({ passReqToCallback: true });
  }

  async validate(req: FastifyRequest, token: string): Promise<AdminActor | false> {
    if (this.masterKey.matches(token)) return { type: 'master', id: 'master', role: 'admin', sourceIp: req.ip ?? null };
    const userId = await this.tokens.userIdOf(token);
    if (!userId) return false;
    const user = await this.users.findById(userId);
    if (!user || user.disabledAt) return false;
    return { type: 'admin', id: user.id, role: user.role, sourceIp: req.ip ?? null };
  }
}
