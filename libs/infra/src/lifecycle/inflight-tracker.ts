import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';

/**
 * Counts requests whose response has not finished, hijacked SSE streams included (they bypass Fastify's own
 * bookkeeping, so `fastify.close()` alone would not wait for them). Shutdown waits on `idle()` before it closes
 * anything a request still needs (Redis, Postgres, the event publisher).
 */
@Injectable()
export class InflightTracker {
  private active = 0;
  private drainingSince: number | null = null;
  private waiters: (() => void)[] = [];

  /** Call from an onRequest hook; the count drops when the raw response closes, however it ends. */
  track(raw: ServerResponse): void {
    this.active++;
    raw.once('close', this.release);
  }

  get count(): number {
    return this.active;
  }

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  /** Marks the replica as leaving: readiness fails so load balancers stop sending, new responses close the connection. */
  beginDrain(): void {
    this.drainingSince ??= Date.now();
  }

  /** Resolves true when nothing is in flight, false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  private readonly release = (): void => {
    this.active--;
    if (this.active === 0 && this.waiters.length) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  };
}
