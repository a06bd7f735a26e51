import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake upstream received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** How the fake upstream answers one request. */
export interface Behavior {
  status?: number;
  json?: unknown;
  /** Raw body text (with status), e.g. a provider's own error format. */
  text?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering at all (for timeouts). */
  delayMs?: number;
  /** Answer as SSE with these chunk objects. */
  stream?: { chunks: object[]; delayMs?: number; dieAfter?: number };
  /** Reset the connection without answering. */
  destroy?: boolean;
}

/** A real HTTP server that speaks enough OpenAI to test llmp, recording everything it receives. */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose connection closed before the response finished (client aborts reaching us). */
  aborted = 0;
  /** Requests being answered right now, and the most seen at once, per requested upstream model. */
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  behavior: (req: RecordedRequest) => Behavior = (req) => ({ json: chatCompletion(req, 'hello from upstream') });
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    this.requests.push(recorded);
    const model = String(recorded.body.model);
    const now = (this.inFlight.get(model) ?? 0) + 1;
    this.inFlight.set(model, now);
    this.maxInFlight.set(model, Math.max(now, this.maxInFlight.get(model) ?? 0));
    let finished = false;
    res.on('close', () => {
      this.inFlight.set(model, (this.inFlight.get(model) ?? 1) - 1);
      if (!finished && !res.writableFinished) this.aborted++;
    });
    const b = this.behavior(recorded);
    if (b.delayMs) await sleep(b.delayMs);
    if (b.destroy) {
      req.socket.destroy();
      return;
    }
    if (b.stream) {
      res.writeHead(b.status ?? 200, { 'content-type': 'text/event-stream', ...b.headers });
      for (const [i, chunk] of b.stream.chunks.entries()) {
        if (b.stream.dieAfter !== undefined && i >= b.stream.dieAfter) {
          req.socket.destroy();
          return;
        }
        if (res.destroyed) return;
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        if (b.stream.delayMs) await sleep(b.stream.delayMs);
      }
      res.end('data: [DONE]\n\n');
      finished = true;
      return;
    }
    const body = b.text ?? JSON.stringify(b.json ?? {});
    res.writeHead(b.status ?? 200, { 'content-type': b.text ? 'text/plain' : 'application/json', ...b.headers });
    res.end(body);
    finished = true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A minimal OpenAI chat completion for `req`. */
export function chatCompletion(req: RecordedRequest, content: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: req.body.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
  };
}

/** OpenAI stream chunks spelling out `words`, plus a usage chunk. */
export function chatChunks(model: string, words: string[], usage = { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length }): object[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  return [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...words.map((w) => ({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { ...base, choices: [], usage },
  ];
}
