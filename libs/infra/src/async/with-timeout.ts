/** Rejection of `withTimeout` when the time ran out (as opposed to the work's own failure). */
export class TimeoutError extends Error {}

/**
 * Races `work` against a timer: rejects with a TimeoutError naming `what` once `ms` have passed. The timer never holds
 * the process open and is cleared when the work settles first. The work itself is not cancelled.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
