import pino from 'pino';
import { scrubLogLine } from '@llmp/common';
import { LOG_REDACT_PATHS } from './log-redaction';
import { PinoNestLogger } from './pino-nest.logger';

function capture(level = 'info'): { logger: PinoNestLogger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const p = pino(
    { level, redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' }, hooks: { streamWrite: scrubLogLine } },
    { write: (s: string) => void out.push(s) },
  );
  return { logger: new PinoNestLogger(p), lines: () => out.map((s) => JSON.parse(s) as Record<string, unknown>) };
}

describe('PinoNestLogger', () => {
  it('turns Nest calls into structured lines: message objects become fields, the context a field', () => {
    const { logger, lines } = capture();
    logger.log('plain message', 'DataPlane');
    logger.error({ msg: 'settlement failed', requestId: 'req_1', keyId: 'key_1' }, 'SettlementService');
    logger.error('boom', 'Error: boom\n    at x (y.ts:1:1)', 'Worker');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 30, msg: 'plain message', context: 'DataPlane' }),
      expect.objectContaining({ level: 50, msg: 'settlement failed', requestId: 'req_1', keyId: 'key_1', context: 'SettlementService' }),
      expect.objectContaining({ level: 50, msg: 'boom', context: 'Worker', stack: expect.stringContaining('at x') }),
    ]);
  });

  it('redacts secret fields by path, top level and nested', () => {
    const { logger, lines } = capture();
    logger.warn({ msg: 'upstream call', headers: { authorization: 'Bearer x', 'x-api-key': 'abc' }, provider: { apiKey: 'k' }, password: 'p' }, 'Test');
    const [line] = lines();
    expect(line).toMatchObject({ headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' }, provider: { apiKey: '[redacted]' }, password: '[redacted]' });
  });

  it('follows the level: debug and verbose are dropped at info', () => {
    const { logger, lines } = capture('info');
    logger.debug('d', 'T');
    logger.verbose('v', 'T');
    expect(lines()).toEqual([]);
  });
});
