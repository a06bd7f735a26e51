/**
 * Collects items per key until the end of the event-loop turn (a setImmediate), then hands each key's items over in
 * one `send`: how the limiter turns the many requests of one plan in a turn into one Redis script call. A key that
 * reaches `maxItems` is sent at once; `afterFlush` runs once the turn's batches are sent.
 */
export class TurnBatches<K, V> {
  private batches = new Map<K, V[]>();
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    private readonly send: (key: K, items: V[]) => void,
    private readonly maxItems = Number.POSITIVE_INFINITY,
    private readonly afterFlush?: () => void,
  ) {}

  add(key: K, item: V): void {
    let batch = this.batches.get(key);
    if (!batch) this.batches.set(key, (batch = []));
    batch.push(item);
    if (batch.length >= this.maxItems) {
      this.batches.delete(key);
      this.send(key, batch);
    }
    this.scheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = null;
    const batches = this.batches;
    this.batches = new Map();
    for (const [key, items] of batches) this.send(key, items);
    this.afterFlush?.();
  }
}
