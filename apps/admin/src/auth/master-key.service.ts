import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { registerSecret } from '@llmp/common';
import { ENV_CONFIG, type EnvConfig } from '@llmp/infra';

export type MasterKeySource = 'env' | 'file' | 'generated';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * The bootstrap admin credential: LLMP_MASTER_KEY if set; else the one stored in the data directory; else a new
 * one, stored there (mode 0600) so the next start finds it. Also the server secret for derived key secrets.
 */
@Injectable()
export class MasterKeyService {
  readonly value: string;
  readonly source: MasterKeySource;
  readonly path: string;
  /** LLMP_MASTER_KEY_DISABLED: the key stays the server secret but is no longer accepted as a credential. */
  readonly disabled: boolean;
  private readonly valueDigest: Buffer;

  constructor(@Inject(ENV_CONFIG) env: EnvConfig) {
    this.path = join(env.dataDir, 'master.key');
    if (env.masterKey) {
      this.value = env.masterKey;
      this.source = 'env';
    } else if (existsSync(this.path) && readFileSync(this.path, 'utf8').trim()) {
      this.value = readFileSync(this.path, 'utf8').trim();
      this.source = 'file';
    } else {
      this.value = 'llmp_admin_' + randomBytes(32).toString('base64url');
      mkdirSync(env.dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(this.path, this.value + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(this.path, 0o600);
      this.source = 'generated';
    }
    this.valueDigest = digest(this.value);
    registerSecret(this.value);
    this.disabled = env.masterKeyDisabled;
  }

  /** Constant-time comparison (digests first, so length differences do not leak either). */
  matches(candidate: string): boolean {
    const equal = timingSafeEqual(digest(candidate), this.valueDigest);
    return equal && !this.disabled;
  }
}
