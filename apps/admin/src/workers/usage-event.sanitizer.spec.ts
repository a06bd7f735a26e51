import { RecordError } from './db-error';
import { MAX_USAGE_TEXT_CHARS, sanitizeUsageEvent } from './usage-event.sanitizer';

const event = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  requestId: 'req-1', keyId: 'key_1', teamId: 'team_1', requestedModel: 'm', resolvedModel: 'm', provider: 'a', endpoint: 'chat',
  status: 200, errorCode: null, promptTokens: 1, completionTokens: 1, totalTokens: 2, costUsd: '0.1', priced: true, estimated: false,
  latencyMs: 1, ttftMs: null, streamed: false, attempts: [], createdAt: '2026-12-07T00:00:00.000Z', ...over,
});

describe('sanitizeUsageEvent bounds indexed text (longer values fail their row with 54000)', () => {
  it.each(Object.entries(MAX_USAGE_TEXT_CHARS))('%s: up to %i characters passes, one more is refused before the database', (field, max) => {
    expect((sanitizeUsageEvent(event({ [field]: 'x'.repeat(max) })) as unknown as Record<string, unknown>)[field]).toBe('x'.repeat(max));
    expect(() => sanitizeUsageEvent(event({ [field]: 'x'.repeat(max + 1) }))).toThrow(new RecordError(`${field} is longer than ${max} characters (${max + 1})`));
  });

  it('the rollup key (key, team, model) stays under btree entry size even in 3-byte characters', () => {
    const { keyId, teamId, requestedModel } = MAX_USAGE_TEXT_CHARS;
    expect((keyId + teamId + requestedModel) * 3).toBeLessThan(2704 - 64);
  });

  it('refuses a time outside years 1-9999', () => {
    expect(() => sanitizeUsageEvent(event({ createdAt: '-200000-01-01T00:00:00.000Z' }))).toThrow(RecordError);
  });
});
