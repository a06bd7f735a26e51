import pino from 'pino';
import { type AccessLine, accessLineJson } from './access-log';

/** What pino itself writes for the line, with the options the log sink gives the access logger. */
function pinoLine(line: AccessLine, time: number): string {
  let out = '';
  const logger = pino(
    { base: { app: 'api', pid: 4242 }, formatters: { level: (label) => ({ level: label }) }, timestamp: () => `,"time":${time}` },
    { write: (s: string) => void (out += s) },
  );
  logger.info(line, 'request');
  return out;
}

describe('accessLineJson', () => {
  const base = '"app":"api","pid":4242';
  const line: AccessLine = {
    method: 'POST', path: '/v1/chat/completions', status: 200, surface: 'openai', model: 'gpt-4o', provider: 'openai',
    durationMs: 12.5, upstreamMs: 10, promptTokens: 11, completionTokens: 7, totalTokens: 18, requestId: 'req_1~a',
    keyId: 'k1', errorCode: null,
  };

  it('is byte for byte the line pino writes for the same object', () => {
    expect(accessLineJson(base, 1700000000000, line)).toBe(pinoLine(line, 1700000000000));
  });

  it('stays valid JSON, and equal to pino, for quotes, control characters, unicode, nulls and non-finite numbers', () => {
    const odd: AccessLine = {
      ...line, model: 'm "quoted" \\ \n\t\u0001 ünï 🦊', provider: null, keyId: null, errorCode: 'rate_limit_exceeded',
      durationMs: Number.NaN, upstreamMs: Number.POSITIVE_INFINITY, requestId: '</script>\u2028',
    };
    const built = accessLineJson(base, 1, odd);
    expect(built).toBe(pinoLine(odd, 1));
    expect(JSON.parse(built)).toMatchObject({ model: odd.model, provider: null, durationMs: null, upstreamMs: null, msg: 'request' });
  });
});
