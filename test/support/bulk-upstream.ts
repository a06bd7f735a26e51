import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainOrClose } from '../../apps/api/src/gateway/streaming/client-drain';

/** One streamed answer of the bulk upstream, as it went. */
export interface BulkStream {
  model: string;
  /** Body bytes the upstream managed to hand to its socket so far. */
  bytesSent: number;
  /** Content pieces sent so far (one token's worth each, for the ledger's count of what was generated). */
  piecesSent: number;
  done: boolean;
  /** The connection closed before the stream was complete (llmp aborted it). */
  aborted: boolean;
}

/**
 * An OpenAI-compatible upstream that streams very large answers as fast as its reader takes them, and no faster: it
 * writes the next SSE chunk only after the previous one was accepted (`write()` true or 'drain'), so everything the
 * test sees buffered is buffered by llmp, not by this server. Non-streamed requests get a small JSON answer at once.
 */
export class BulkUpstream {
  readonly streams: BulkStream[] = [];
  private server: Server | null = null;

  /** @param bytesPerStream size of each streamed answer; @param chunkChars content characters per SSE chunk */
  constructor(private readonly bytesPerStream = 50 * 1024 * 1024, private readonly chunkChars = 16 * 1024) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Streams still being written. */
  get active(): number {
    return this.streams.filter((s) => !s.done && !s.aborted).length;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string; stream?: boolean };
    const base = { id: 'chatcmpl-bulk', object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        ...base, object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'small' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      }));
      return;
    }
    const stream: BulkStream = { model: body.model, bytesSent: 0, piecesSent: 0, done: false, aborted: false };
    this.streams.push(stream);
    res.on('close', () => {
      if (!stream.done) stream.aborted = true;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // ' x' is one token; a chunk carries chunkChars / 2 of them.
    const content = ' x'.repeat(this.chunkChars / 2);
    const frame = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    while (stream.bytesSent < this.bytesPerStream) {
      if (res.destroyed) return;
      stream.bytesSent += frame.length;
      stream.piecesSent += this.chunkChars / 2;
      if (!res.write(frame)) await drainOrClose(res);
    }
    if (res.destroyed) return;
    const usage = { prompt_tokens: 5, completion_tokens: stream.piecesSent, total_tokens: 5 + stream.piecesSent };
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
    stream.done = true;
  }
}
