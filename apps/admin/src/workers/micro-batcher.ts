interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects items handed in one by one (one per BullMQ job) into batches for a single database transaction; each
 * caller's promise settles with its item's outcome, so a job completes only after its row is committed. One batch
 * is in flight at a time per process, which keeps rollup row locks from deadlocking against ourselves.
 */
export class MicroBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly handler: (items: T[]) => Promise<R[]>,
    private readonly maxSize: number,
    private readonly maxWaitMs: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxSize) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.maxWaitMs);
    });
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.pending.length) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.maxSize);
      try {
        const results = await this.handler(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
  }
}
