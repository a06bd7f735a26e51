import { ErrorCode, LlmpError, type GatewayConfig, type Principal } from '@llmp/common';
import type { KeyAuthService } from '../keys/key-auth.service';
import { AuthenticateStage } from './authenticate.stage';

const valid: Principal = { kind: 'anonymous' };

/** A stand-in for the key store: `good` is a valid key; anything else is refused as KeyAuthService refuses it. */
function stageWith(maxFailuresPerMinute: number) {
  const calls = { full: 0, cached: 0 };
  const keyAuth = {
    authenticate: async (c: readonly string[]) => {
      calls.full++;
      if (c.length === 1 && c[0] === 'good') return valid;
      throw new LlmpError(ErrorCode.InvalidApiKey, 'Invalid API key.');
    },
    authenticateCached: async (c: readonly string[]) => {
      calls.cached++;
      return c.length === 1 && c[0] === 'good' ? valid : null;
    },
  };
  // Only the two methods the stage calls; the real service needs Redis and Postgres (covered by its int-spec).
  const stage = new AuthenticateStage(keyAuth as unknown as KeyAuthService, { auth: { mode: 'required', maxFailuresPerMinute } } as GatewayConfig);
  return { stage, calls };
}

describe('AuthenticateStage', () => {
  it('passes a valid key and refuses a bad one with 401', async () => {
    const { stage } = stageWith(3);
    await expect(stage.run(['good'], '10.0.0.1')).resolves.toBe(valid);
    await expect(stage.run(['bad'], '10.0.0.1')).rejects.toMatchObject({ code: ErrorCode.InvalidApiKey });
  });

  it('answers 429 with Retry-After once an address failed maxFailuresPerMinute times, without a full lookup', async () => {
    const { stage, calls } = stageWith(3);
    for (let i = 0; i < 3; i++) await expect(stage.run([`bad${i}`], '10.0.0.1')).rejects.toMatchObject({ code: ErrorCode.InvalidApiKey });
    const full = calls.full;
    const limited = await stage.run(['bad-again'], '10.0.0.1').catch((e: LlmpError) => e);
    expect(limited).toBeInstanceOf(LlmpError);
    expect((limited as LlmpError).code).toBe(ErrorCode.RateLimitExceeded);
    expect((limited as LlmpError).details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((limited as LlmpError).details.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(calls.full).toBe(full);
    expect(stage.failures.takeClosed(Date.now(), true)).toEqual([expect.objectContaining({ address: '10.0.0.1', failures: 4, limited: 1 })]);
  });

  it('never refuses a valid key because others failed, from that address or another', async () => {
    const { stage } = stageWith(2);
    for (let i = 0; i < 5; i++) await stage.run(['bad'], '10.0.0.1').catch(() => undefined);
    await expect(stage.run(['good'], '10.0.0.1')).resolves.toBe(valid);
    await expect(stage.run(['good'], '10.0.0.2')).resolves.toBe(valid);
    await expect(stage.run(['bad'], '10.0.0.2')).rejects.toMatchObject({ code: ErrorCode.InvalidApiKey });
  });

  it('does not count other errors (a key store outage) as failed authentication', async () => {
    const { stage } = stageWith(1);
    const down = { authenticate: async () => Promise.reject(new LlmpError(ErrorCode.KeysUnavailable, 'down')), authenticateCached: async () => null };
    const s = new AuthenticateStage(down as unknown as KeyAuthService, { auth: { mode: 'required', maxFailuresPerMinute: 1 } } as GatewayConfig);
    await expect(s.run(['x'], 'a')).rejects.toMatchObject({ code: ErrorCode.KeysUnavailable });
    await expect(s.run(['x'], 'a')).rejects.toMatchObject({ code: ErrorCode.KeysUnavailable });
    expect(s.failures.tracked).toBe(0);
    expect(stage.failures.tracked).toBe(0);
  });
});
