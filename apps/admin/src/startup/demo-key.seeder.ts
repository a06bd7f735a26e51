import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { ApiKeyRepository, deriveKeySecret, DEMO_KEY_PURPOSE, hashKeySecret } from '@llmp/policy';
import { MasterKeyService } from '../auth/master-key.service';
import { KeysService } from '../keys/keys.service';
import { keyStatus } from '../keys/key.view';

export const DEMO_KEY_NAME = 'demo';

/** What the banner can say about the demo key. */
export type DemoKeyState =
  /** `created`: seeded by this run (the run that generated it may print it even into a log). */
  | { state: 'usable'; secret: string; keyId: string; created: boolean }
  | { state: 'revoked' | 'expired' | 'rotated'; keyId: string }
  | { state: 'unknown' };

/**
 * Seeds one demo key at boot if none exists. Its secret is derived from the master key, so a later start at a
 * terminal can print it again without storing it.
 */
@Injectable()
export class DemoKeySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoKeySeeder.name);
  private current: DemoKeyState = { state: 'unknown' };

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly keysService: KeysService,
    private readonly masterKey: MasterKeyService,
  ) {}

  get demoKey(): DemoKeyState {
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      this.current = await this.ensure();
    } catch (e) {
      this.logger.warn(`could not seed the demo key: ${(e as Error).message}`);
    }
  }

  private async ensure(): Promise<DemoKeyState> {
    const secret = deriveKeySecret(this.masterKey.value, DEMO_KEY_PURPOSE);
    let existing = await this.keys.findByName(DEMO_KEY_NAME);
    let created = false;
    if (!existing) {
      const ctx = { actor: { type: 'master' as const, id: 'system', role: 'admin' as const, sourceIp: null }, requestId: null };
      try {
        await this.keysService.createWithSecret(ctx, { name: DEMO_KEY_NAME, metadata: { seeded: true } }, secret);
        created = true;
      } catch (e) {
        // Another admin process seeded it at the same moment.
        if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')) throw e;
      }
      existing = await this.keys.findByName(DEMO_KEY_NAME);
      if (!existing) return { state: 'unknown' };
    }
    const status = keyStatus(existing);
    if (status !== 'active') return { state: status, keyId: existing.id };
    if (!(await this.keys.currentHashIs(existing.id, hashKeySecret(secret)))) return { state: 'rotated', keyId: existing.id };
    return { state: 'usable', secret, keyId: existing.id, created };
  }
}
