import { Test, type TestingModule } from '@nestjs/testing';
import { ErrorCode, LlmpError, type GatewayConfig, type Principal } from '@llmp/common';
import type { Redis } from 'ioredis';
import { GATEWAY_CONFIG, InfraModule, OutboxRepository, REDIS } from '@llmp/infra';
import { PolicyModule } from '../policy.module';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import { TeamRepository } from '../repositories/team.repository';
import { TransactionRunner } from '../repositories/transaction.runner';
import { generateKeySecret, hashKeySecret, keyPrefixOf, newKeyId, newTeamId } from './key-material';
import { INVALID_API_KEY_MESSAGE, KeyAuthService } from './key-auth.service';
import { PolicyInvalidator } from './policy-invalidator.service';

/** One "data plane replica": its own Nest module, caches and subscriber, sharing Postgres and Redis. */
async function replica(override?: (c: GatewayConfig) => GatewayConfig): Promise<TestingModule> {
  let builder = Test.createTestingModule({ imports: [InfraModule, PolicyModule] });
  if (override) {
    const { loadEnv, loadGatewayConfig } = await import('@llmp/infra');
    builder = builder.overrideProvider(GATEWAY_CONFIG).useValue(override(loadGatewayConfig(loadEnv().configPath)));
  }
  const mod = await builder.compile();
  await mod.init();
  return mod;
}

async function deny(auth: KeyAuthService, creds: string[]): Promise<LlmpError> {
  try {
    await auth.authenticate(creds);
  } catch (e) {
    if (e instanceof LlmpError) return e;
    throw e;
  }
  throw new Error('expected authentication to fail');
}

/** Polls until `check` holds, failing if it takes longer than `ms`; returns the elapsed time. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

const rejects = (auth: KeyAuthService, secret: string) => () =>
  auth.authenticate([secret]).then(
    () => false,
    () => true,
  );

describe('KeyAuthService (two replicas, real Postgres and Redis)', () => {
  let a: TestingModule;
  let b: TestingModule;
  let authA: KeyAuthService;
  let authB: KeyAuthService;
  let keys: ApiKeyRepository;
  let tx: TransactionRunner;
  let invalidator: PolicyInvalidator;

  async function createKey(over: { teamId?: string | null; expiresAt?: Date | null; allowedModels?: string[] } = {}) {
    const secret = generateKeySecret();
    const key = await tx.run((t) =>
      keys.create(t, {
        id: newKeyId(),
        name: 'k',
        keyHash: hashKeySecret(secret),
        keyPrefix: keyPrefixOf(secret),
        teamId: over.teamId ?? null,
        expiresAt: over.expiresAt ?? null,
        metadata: {},
        allowedModels: over.allowedModels ?? [],
      }),
    );
    return { secret, id: key.id };
  }

  beforeAll(async () => {
    a = await replica();
    b = await replica();
    authA = a.get(KeyAuthService);
    authB = b.get(KeyAuthService);
    keys = a.get(ApiKeyRepository);
    tx = a.get(TransactionRunner);
    invalidator = a.get(PolicyInvalidator);
  });

  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('accepts a key given once, repeated, or next to empty candidates', async () => {
    const { secret, id } = await createKey();
    for (const creds of [[secret], [secret, secret], ['', secret, ''], [secret, ` ${secret} `]]) {
      const p = await authA.authenticate(creds);
      expect(p.kind === 'key' && p.snapshot.keyId).toBe(id);
    }
  });

  it('rejects two different keys in one request, even when both are valid', async () => {
    const one = await createKey();
    const two = await createKey();
    const e = await deny(authA, [one.secret, two.secret]);
    expect(e.code).toBe(ErrorCode.InvalidApiKey);
    expect(e.status).toBe(401);
  });

  it.each([
    ['nothing', []],
    ['empty', ['']],
    ['SQL', ["llmp_' OR '1'='1' --"]],
    ['SQL shaped like a key', ["llmp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'; DROP TABLE \"ApiKey\";--"]],
    ['NUL', ['llmp_\u0000' + 'a'.repeat(42)]],
    ['8 KB', ['llmp_' + 'a'.repeat(8192)]],
    ['non-ASCII', ['llmp_' + 'ключ🔑'.repeat(10)]],
    ['lone surrogate', ['llmp_\ud800' + 'a'.repeat(42)]],
    ['unknown well-formed', [generateKeySecret()]],
    ['another scheme', ['sk-proj-abcdef']],
  ])('rejects %s with the one invalid_api_key message', async (_name, creds) => {
    const e = await deny(authA, creds as string[]);
    expect(e.code).toBe(ErrorCode.InvalidApiKey);
    expect(e.message).toBe(INVALID_API_KEY_MESSAGE);
  });

  it('never queries Postgres for a warm key, and caches unknown keys too', async () => {
    const { secret } = await createKey();
    const garbage = generateKeySecret();
    await authB.authenticate([secret]);
    await deny(authB, [garbage]);
    const spy = jest.spyOn(b.get(ApiKeyRepository), 'findAuthRecordByHash');
    for (let i = 0; i < 50; i++) {
      await authB.authenticate([secret]);
      await deny(authB, [garbage]);
    }
    // After the in-process TTL the next layer is Redis, still not Postgres.
    await new Promise((r) => setTimeout(r, 1100));
    await authB.authenticate([secret]);
    await deny(authB, [garbage]);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('a secret remembered as unknown works as soon as a key with it is created (the create announces its hash)', async () => {
    const secret = generateKeySecret();
    await deny(authA, [secret]);
    await deny(authB, [secret]);
    const key = await tx.run((t) =>
      keys.create(t, { id: newKeyId(), name: 'k', keyHash: hashKeySecret(secret), keyPrefix: keyPrefixOf(secret), teamId: null, expiresAt: null, metadata: {}, allowedModels: [] }),
    );
    await invalidator.keysChanged([key.id], [hashKeySecret(secret)]);
    // Well inside the 10 s an unknown hash is remembered for.
    await within(1000, async () => (await authA.authenticate([secret]).then(() => true, () => false)) && (await authB.authenticate([secret]).then(() => true, () => false)));
  });

  it('authenticateCached answers from memory and Redis only: a warm key passes, anything else is null, Postgres is never asked', async () => {
    const { secret, id } = await createKey();
    await authA.authenticate([secret]);
    const spy = jest.spyOn(b.get(ApiKeyRepository), 'findAuthRecordByHash');
    const warm = await authB.authenticateCached([secret]);
    expect(warm?.kind === 'key' && warm.snapshot.keyId).toBe(id);
    expect(await authB.authenticateCached([generateKeySecret()])).toBeNull();
    expect(await authB.authenticateCached([secret, generateKeySecret()])).toBeNull();
    expect(await authB.authenticateCached(['not-a-key'])).toBeNull();
    // Served here before: still passes once the in-process entry is stale and Redis has let the snapshot go.
    await new Promise((r) => setTimeout(r, 1100));
    await b.get<Redis>(REDIS).del(`keysnap:${hashKeySecret(secret)}`);
    const stale = await authB.authenticateCached([secret]);
    expect(stale?.kind === 'key' && stale.snapshot.keyId).toBe(id);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('a revoke reaches both replicas within one second', async () => {
    const { secret, id } = await createKey();
    await authA.authenticate([secret]);
    await authB.authenticate([secret]);
    await tx.run((t) => keys.revoke(t, id, new Date()));
    await invalidator.keysChanged([id]);
    await within(1000, rejects(authA, secret));
    await within(1000, rejects(authB, secret));
  });

  it('rotation without grace stops the old secret on both replicas; with grace it works until the grace ends', async () => {
    const { secret: old, id } = await createKey();
    await authA.authenticate([old]);
    await authB.authenticate([old]);
    const next = generateKeySecret();
    await tx.run((t) => keys.rotate(t, id, { keyHash: hashKeySecret(next), keyPrefix: keyPrefixOf(next), graceUntil: null }));
    await invalidator.keysChanged([id], [hashKeySecret(next)]);
    await within(1000, rejects(authA, old));
    await within(1000, rejects(authB, old));
    expect(((await authB.authenticate([next])) as Extract<Principal, { kind: 'key' }>).snapshot.keyId).toBe(id);

    const third = generateKeySecret();
    await tx.run((t) =>
      keys.rotate(t, id, { keyHash: hashKeySecret(third), keyPrefix: keyPrefixOf(third), graceUntil: new Date(Date.now() + 1500) }),
    );
    await invalidator.keysChanged([id], [hashKeySecret(third)]);
    await authB.authenticate([next]);
    await authB.authenticate([third]);
    await new Promise((r) => setTimeout(r, 1600));
    await deny(authB, [next]);
    await authB.authenticate([third]);
  });

  it('an expired key stops working without any invalidation', async () => {
    const { secret } = await createKey({ expiresAt: new Date(Date.now() + 800) });
    await authA.authenticate([secret]);
    await new Promise((r) => setTimeout(r, 900));
    await deny(authA, [secret]);
  });

  it('a team policy change reaches the other replica within one second', async () => {
    const teams = a.get(TeamRepository);
    const team = await tx.run((t) => teams.create(t, { id: newTeamId(), name: `t-${Date.now()}`, metadata: {}, allowedModels: ['gpt-4o'] }));
    const { secret } = await createKey({ teamId: team.id });
    const before = (await authB.authenticate([secret])) as Extract<Principal, { kind: 'key' }>;
    expect(before.snapshot.team?.allowedModels).toEqual(['gpt-4o']);
    await tx.run((t) => teams.update(t, team.id, { allowedModels: ['gpt-4o-mini'] }));
    await invalidator.teamChanged(team.id);
    await within(1000, async () => {
      const p = (await authB.authenticate([secret])) as Extract<Principal, { kind: 'key' }>;
      return p.snapshot.team?.allowedModels[0] === 'gpt-4o-mini';
    });
  });

  it('never writes to the outbox or anywhere else on authentication', async () => {
    const outbox = a.get(OutboxRepository);
    const count = await outbox.count();
    const { secret } = await createKey();
    await authA.authenticate([secret]);
    expect(await outbox.count()).toBe(count);
  });

  it('answers anonymous when auth is disabled', async () => {
    const off = await replica((c) => ({ ...c, auth: { ...c.auth, mode: 'disabled' } }));
    await expect(off.get(KeyAuthService).authenticate([])).resolves.toEqual({ kind: 'anonymous' });
    await off.close();
  });
});
