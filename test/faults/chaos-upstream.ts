import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the chaos upstream does for one request, chosen by the test from the upstream model id. */
export type ChaosAct = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void | Promise<void>;

/**
 * A real HTTP server playing a misbehaving OpenAI-compatible provider at the byte level (resets, stalls, cut and
 * malformed streams, endless bodies, redirects), which `FakeUpstream`'s JSON-level behaviours cannot express. Each
 * upstream model id maps to one act; it counts requests per model and tracks its sockets so `close()` never hangs
 * on a stalled answer.
 */
export class ChaosUpstream {
  readonly hits = new Map<string, number>();
  /** Bytes written per model (for the endless-body acts). */
  readonly bytesSent = new Map<string, number>();
  private readonly acts = new Map<string, ChaosAct>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  on(model: string, act: ChaosAct): this {
    this.acts.set(model, act);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server!.close(r));
  }

  countBytes(model: string, n: number): void {
    this.bytesSent.set(model, (this.bytesSent.get(model) ?? 0) + n);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      // Not a chat body: answered by the default act below.
    }
    const model = String(body.model ?? '');
    this.hits.set(model, (this.hits.get(model) ?? 0) + 1);
    const act = this.acts.get(model);
    if (!act) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `chaos upstream has no act for model ${model}` } }));
      return;
    }
    try {
      await act(req, res, body);
    } catch {
      res.destroy();
    }
  }
}

/** Writes `chunk` until `totalBytes` are sent or the peer goes away, honouring back-pressure; resolves with bytes sent. */
export async function writeEndlessly(res: ServerResponse, chunk: Buffer, totalBytes: number, onBytes?: (n: number) => void): Promise<number> {
  let sent = 0;
  let closed = false;
  const whenClosed = once(res, 'close').then(() => {
    closed = true;
  });
  while (sent < totalBytes && !closed && !res.destroyed && !res.writableEnded) {
    const ok = res.write(chunk);
    sent += chunk.length;
    onBytes?.(chunk.length);
    if (!ok) await Promise.race([whenClosed, once(res, 'drain')]);
  }
  return sent;
}
