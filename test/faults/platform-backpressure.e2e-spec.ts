import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { BulkUpstream } from '../support/bulk-upstream';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';
import { sleep, spawnApi, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';
import { accountLedger } from './ledger-accounting';

const MB = 1024 * 1024;

/** A process's resident set and its peak, from /proc (bytes). */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** A streaming client over its own connection that reads as slowly as told (`pause` = not at all). */
class SlowReader {
  received = 0;
  private res: IncomingMessage | null = null;
  private readonly req;
  readonly ready: Promise<number>;

  constructor(url: string, readonly requestId: string, mode: 'pause' | 'drip') {
    this.req = request(`${url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    });
    this.req.on('error', () => undefined);
    this.ready = new Promise((resolve, reject) => {
      this.req.once('error', reject);
      this.req.once('response', (res) => {
        this.res = res;
        res.on('error', () => undefined);
        res.on('data', (chunk: Buffer) => {
          this.received += chunk.length;
          // One socket read (up to 64 KB) every 200 ms: a few hundred KB/s against an upstream offering hundreds of MB/s.
          res.pause();
          if (mode === 'drip') setTimeout(() => res.resume(), 200).unref();
        });
        resolve(res.statusCode ?? 0);
      });
    });
    this.req.end(JSON.stringify({ model: 'bulk', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  }

  /** Hangs up, as a client that gives up would. */
  destroy(): void {
    this.res?.destroy();
    this.req.destroy();
  }
}

/**
 * Slow-reading clients against 50 MB streams: llmp must pass back-pressure to the upstream instead of buffering the
 * answers, so its memory stays bounded, other clients keep getting quick answers, and when the slow clients hang up
 * their streams are settled (ledger rows marked 499) and the upstream calls are closed.
 */
describe('platform: slow-reading clients (back-pressure, bounded memory)', () => {
  const upstream = new BulkUpstream(50 * MB);
  let api: ApiProcess | null = null;
  let worker: WorkerProcess | null = null;
  const readers: SlowReader[] = [];

  beforeAll(async () => {
    const base = await upstream.start();
    const config = writeConfig(`
providers:
  - { name: bulk, type: openai, baseUrl: "${base}", timeoutMs: 60000 }
models:
  - { name: bulk, targets: [{ provider: bulk, model: bulk-model }], pricing: { input: 1, output: 1 } }
auth: { mode: disabled }
`);
    api = await spawnApi({ LLMP_CONFIG: config, LLMP_LOG_LEVEL: 'warn' });
    worker = spawnWorker();
  }, 90_000);

  afterAll(async () => {
    for (const r of readers) r.destroy();
    if (api && api.child.exitCode === null) api.child.kill('SIGKILL');
    await worker?.stop();
    await upstream.close();
  });

  async function plain(id: string): Promise<number> {
    const t0 = performance.now();
    const res = await fetch(`${api!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ model: 'bulk', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    expect(res.status).toBe(200);
    return performance.now() - t0;
  }

  faultCase('platform', 'slow-reading clients on 50 MB streams: memory bounded, others served fast, streams settled', async (ctx) => {
    const pid = api!.child.pid!;
    const id = (tag: string): string => `slowread-${tag}-${randomUUID()}`;
    const plainIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      plainIds.push(id('warm'));
      await plain(plainIds[plainIds.length - 1]);
    }
    const baseline = memoryOf(pid).rss;

    const STREAMS = 8;
    for (let i = 0; i < STREAMS; i++) readers.push(new SlowReader(api!.url, id(i % 2 ? 'drip' : 'pause'), i % 2 ? 'drip' : 'pause'));
    expect(await Promise.all(readers.map((r) => r.ready))).toEqual(readers.map(() => 200));

    // While the slow streams are open: sample the gateway's memory and time other clients' requests.
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(pid).rss)), 50);
    const latencies: number[] = [];
    const until = Date.now() + 4000;
    try {
      while (Date.now() < until) {
        plainIds.push(id('other'));
        latencies.push(await plain(plainIds[plainIds.length - 1]));
        await sleep(100);
      }
    } finally {
      clearInterval(sampler);
    }
    const sentUpstream = upstream.streams.reduce((n, s) => n + s.bytesSent, 0);
    const grewMb = (peak - baseline) / MB;
    const slowestMs = Math.max(...latencies);
    ctx.note(`${STREAMS} streams: upstream sent ${(sentUpstream / MB).toFixed(1)} MB of ${STREAMS * 50} MB; gateway RSS +${grewMb.toFixed(1)} MB; ` +
      `${latencies.length} other requests, slowest ${slowestMs.toFixed(0)} ms`);
    // Back-pressure reached the upstream: it was held to what sockets and small buffers take, far from 50 MB each.
    for (const s of upstream.streams) expect(s.bytesSent).toBeLessThan(16 * MB);
    expect(upstream.active).toBe(STREAMS);
    expect(grewMb).toBeLessThan(100);
    expect(slowestMs).toBeLessThan(1500);

    // The slow clients give up: every upstream call is closed and every stream is settled in the ledger as a 499.
    for (const r of readers) r.destroy();
    // Settling eight aborted 8 MB streams must not stall the event loop (they are counted from a bounded sample).
    plainIds.push(id('after'));
    const afterHangUpMs = await plain(plainIds[plainIds.length - 1]);
    await waitFor('the upstream streams to be closed', () => upstream.active === 0, 10_000);
    const streamIds = readers.map((r) => r.requestId);
    const ledger = await accountLedger([...streamIds, ...plainIds], 20_000);
    ctx.lost(ledger.missing, 'usage records');
    expect([ledger.missing, ledger.duplicated]).toEqual([0, 0]);
    for (const rid of streamIds) {
      const [row] = ledger.rows.get(rid)!;
      expect([row.status, row.errorCode, row.streamed]).toEqual([499, 'client_closed_request', true]);
      // What was generated before the hang-up is counted, not the 25 M tokens the upstream would have sent.
      expect(row.completionTokens).toBeGreaterThan(0);
      expect(row.completionTokens).toBeLessThan(8 * 1024 * 1024);
    }
    expect(afterHangUpMs).toBeLessThan(1500);
    expect(memoryOf(pid).hwm - baseline).toBeLessThan(100 * MB);
  }, 90_000);
});
