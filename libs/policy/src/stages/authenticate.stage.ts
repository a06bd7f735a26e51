import { Injectable } from '@nestjs/common';
import type { Principal } from '@llmp/common';
import { KeyAuthService } from '../keys/key-auth.service';

/** Stage 1: the credentials the data plane found → the principal and its cached policy snapshot. */
@Injectable()
export class AuthenticateStage {
  constructor(private readonly keyAuth: KeyAuthService) {}

  /** Throws `invalid_api_key` with one message for every kind of bad credential. */
  run(credentials: readonly string[]): Promise<Principal> {
    return this.keyAuth.authenticate(credentials);
  }
}
