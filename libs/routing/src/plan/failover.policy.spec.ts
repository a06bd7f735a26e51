import { ErrorCode } from '@llmp/common';
import { parseRetryAfter, UpstreamFailure } from '../http/upstream-failure';
import { allTargetsFailed, failedAttempt } from './failover.policy';

describe('allTargetsFailed', () => {
  const limited = (provider: string, retryAfter?: number) =>
    failedAttempt(provider, 'm', new UpstreamFailure('status', 429, 'rate limited', retryAfter), 5);

  it('answers 429 with the soonest upstream Retry-After when every target was rate limited', () => {
    const e = allTargetsFailed('gpt', [limited('a', 7), limited('b', 3)], new UpstreamFailure('status', 429, 'rate limited', 3));
    expect(e.code).toBe(ErrorCode.ProviderRateLimited);
    expect(e.details.retryAfterSeconds).toBe(3);
    expect(e.message).toContain('retry in 3s');
  });

  it('falls back to 1 s without a hint, and caps a hostile one at an hour', () => {
    expect(allTargetsFailed('gpt', [limited('a')], new UpstreamFailure('status', 429, 'x')).details.retryAfterSeconds).toBe(1);
    expect(allTargetsFailed('gpt', [limited('a', 10 ** 9)], new UpstreamFailure('status', 429, 'x')).details.retryAfterSeconds).toBe(3600);
  });

  it('stays a 502 when any target failed for another reason', () => {
    const other = failedAttempt('b', 'm', new UpstreamFailure('status', 500, 'HTTP 500'), 5);
    expect(allTargetsFailed('gpt', [limited('a', 7), other], new UpstreamFailure('status', 500, 'HTTP 500')).code).toBe(ErrorCode.ProviderError);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, ignoring garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
