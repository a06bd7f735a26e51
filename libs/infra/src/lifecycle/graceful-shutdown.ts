import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { flushLogs } from '../logging/log-sink';
import type { InflightTracker } from './inflight-tracker';

export interface GracefulShutdownOptions {
  /** The listening HTTP server; stops accepting at once. */
  server: Server;
  tracker: InflightTracker;
  /** Longest wait for in-flight requests and streams. */
  timeoutMs: number;
  /** Runs after in-flight work finished (or the wait timed out): flush buffers, close the app. */
  close: () => Promise<void>;
  /** Defaults to `process.exit`; tests pass their own. */
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT for an HTTP replica: fail readiness, stop accepting connections, let in-flight requests and
 * streams finish (bounded), then run `close`, then exit. A second signal exits at once.
 */
export function installGracefulShutdown(opts: GracefulShutdownOptions): (signal: string) => Promise<void> {
  const logger = new Logger('Shutdown');
  const exit =
    opts.exit ??
    ((code: number) => {
      flushLogs();
      process.exit(code);
    });
  let started = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (started) {
      logger.warn(`${signal} again: exiting now with ${opts.tracker.count} requests in flight`);
      exit(1);
      return;
    }
    started = true;
    const began = Date.now();
    opts.tracker.beginDrain();
    logger.log(`${signal}: draining ${opts.tracker.count} in-flight requests (up to ${opts.timeoutMs} ms)`);
    // No new connections; keep-alive connections are closed as soon as they are idle (between requests).
    opts.server.close();
    opts.server.closeIdleConnections();
    const sweeper = setInterval(() => opts.server.closeIdleConnections(), 100);
    const drained = await opts.tracker.idle(opts.timeoutMs);
    clearInterval(sweeper);
    if (!drained) logger.error(`shutdown timeout: ${opts.tracker.count} requests still in flight after ${opts.timeoutMs} ms; closing anyway`);
    let code = drained ? 0 : 1;
    try {
      await opts.close();
    } catch (e) {
      logger.error(`shutdown failed: ${(e as Error).message}`);
      code = 1;
    }
    logger.log(`stopped in ${Date.now() - began} ms`);
    exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));
  return shutdown;
}
