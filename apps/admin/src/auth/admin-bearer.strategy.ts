import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { AdminActor } from '@llmp/common';
import { AdminUserRepository } from '../users/admin-user.repository';
import { AdminTokenService } from './admin-token.service';
import { bearerToken, HeaderKeyPassportStrategy } from './header-key.passport-strategy';
import { MasterKeyService } from './master-key.service';

/**
 * `Authorization: Bearer <master key | admin session token>`, from the header only (never `?access_token=` or a body
 * field). A session token stands only while its user exists, is enabled and has the token version it was issued
 * under (checked against Postgres on every request, so a password, role or disabled change ends it at once).
 */
@Injectable()
export class AdminBearerStrategy extends PassportStrategy(HeaderKeyPassportStrategy, 'admin-bearer') {
  constructor(
    private readonly masterKey: MasterKeyService,
    private readonly tokens: AdminTokenService,
    private readonly users: AdminUserRepository,
  ) {
    super(bearerToken);
  }

  async validate(req: FastifyRequest, token: string): Promise<AdminActor | false> {
    const sourceIp = req.clientIp || null;
    if (this.masterKey.matches(token)) return { type: 'master', id: 'master', role: 'admin', sourceIp };
    const claim = await this.tokens.claimOf(token);
    if (!claim) return false;
    const user = await this.users.findById(claim.userId);
    if (!user || user.disabledAt || user.tokenVersion !== claim.tokenVersion) return false;
    return { type: 'admin', id: user.id, role: user.role, sourceIp };
  }
}
