import { TimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('passes the result through when the work settles in time, success or failure', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, 'fast')).resolves.toBe(7);
    const failure = new Error('its own failure');
    await expect(withTimeout(Promise.reject(failure), 1000, 'failing')).rejects.toBe(failure);
  });

  it('rejects with a TimeoutError naming the work once the time is up', async () => {
    const never = new Promise<never>(() => undefined);
    const outcome = await withTimeout(never, 20, 'queue addBulk').catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as Error).message).toBe('queue addBulk timed out after 20 ms');
  });
});
