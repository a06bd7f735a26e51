import type { ServerResponse } from 'node:http';

/**
 * Waits until the client's socket takes more data after `write()` returned false, or until the client is gone: a
 * closed response never emits 'drain', and waiting for it alone would leave the stream, its upstream call, its
 * limiter slot and its usage record hanging forever.
 */
export function drainOrClose(raw: ServerResponse): Promise<void> {
  if (raw.destroyed || raw.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}
