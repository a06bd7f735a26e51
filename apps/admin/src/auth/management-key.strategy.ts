import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { AdminActor } from '@llmp/common';
import { HeaderKeyPassportStrategy, headerValue } from './header-key.passport-strategy';
import { MasterKeyService } from './master-key.service';

/** `X-Management-Key: <master key>`. */
@Injectable()
export class ManagementKeyStrategy extends PassportStrategy(HeaderKeyPassportStrategy, 'management-key') {
  constructor(private readonly masterKey: MasterKeyService) {
    super(headerValue('x-management-key'));
  }

  validate(req: FastifyRequest, key: string): AdminActor | false {
    return this.masterKey.matches(key) ? { type: 'master', id: 'master', role: 'admin', sourceIp: req.clientIp || null } : false;
  }
}
