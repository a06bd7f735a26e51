import { chainHash } from '../audit/audit-chain';
import { MAX_AUDIT_TEXT_CHARS, sanitizeAuditEvent } from './audit-event.sanitizer';
import { RecordError } from './db-error';

const event = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventId: 'e-1', time: '2026-12-07T00:00:00.000Z', actorType: 'anonymous', actorId: null, action: 'request.denied.x',
  target: 'm', before: null, after: null, requestId: 'r-1', sourceIp: '127.0.0.1', ...over,
});

describe('sanitizeAuditEvent', () => {
  it('cuts over-long indexed text to a marked prefix, so the event is kept and hashes as stored', () => {
    const long = 'x'.repeat(9000);
    const e = sanitizeAuditEvent(event({ target: long, actorId: long, action: long, requestId: long, sourceIp: long }));
    for (const v of [e.target, e.actorId, e.action, e.requestId, e.sourceIp]) {
      expect(v!.length).toBeLessThanOrEqual(MAX_AUDIT_TEXT_CHARS);
      expect(v).toMatch(/^x+…\[cut from 9000 characters\]$/);
    }
    expect(chainHash('0', e)).toBe(chainHash('0', sanitizeAuditEvent(event({ target: long, actorId: long, action: long, requestId: long, sourceIp: long }))));
  });

  it('never leaves half a surrogate pair where it cuts', () => {
    const e = sanitizeAuditEvent(event({ target: '😀'.repeat(600) }));
    expect(e.target).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('keeps values at the bound untouched', () => {
    const exact = 'y'.repeat(MAX_AUDIT_TEXT_CHARS);
    expect(sanitizeAuditEvent(event({ target: exact })).target).toBe(exact);
  });

  it('refuses an over-long event id and a time outside years 1-9999 (quarantined before they get a place in the chain)', () => {
    expect(() => sanitizeAuditEvent(event({ eventId: 'e'.repeat(129) }))).toThrow(RecordError);
    expect(() => sanitizeAuditEvent(event({ time: '-200000-01-01T00:00:00.000Z' }))).toThrow(RecordError);
  });
});
