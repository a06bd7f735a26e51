import { loadEnv } from './env.config';

describe('loadEnv', () => {
  it('holds usage and audit events for 100 ms by default, or for LLMP_EVENT_FLUSH_MS', () => {
    expect(loadEnv({}).eventFlushMs).toBe(100);
    expect(loadEnv({ LLMP_EVENT_FLUSH_MS: '' }).eventFlushMs).toBe(100);
    expect(loadEnv({ LLMP_EVENT_FLUSH_MS: '20' }).eventFlushMs).toBe(20);
  });

  it('refuses a flush window that is not a positive whole number of milliseconds, naming the variable', () => {
    for (const bad of ['0', '-5', '1.5', '100ms']) {
      expect(() => loadEnv({ LLMP_EVENT_FLUSH_MS: bad })).toThrow(`LLMP_EVENT_FLUSH_MS must be a positive number of milliseconds, got "${bad}"`);
    }
  });
});
