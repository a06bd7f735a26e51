import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake upstream saw, for assertions. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the client's socket for this request closed (aborts show up here). */
  closed: Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => unknown;

/**
 * A real HTTP server on 127.0.0.1 and a random port, standing in for an OpenAI-compatible upstream in integration
 * specs. Handlers are looked up by path; every request is recorded with its body and when its socket closed.
 */
export class FakeUpstreamServer {
  readonly requests: RecordedRequest[] = [];
  private readonly handlers = new Map<string, UpstreamHandler>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Keep-alive sockets would hold close() open at the end of a spec.
    this.server.keepAliveTimeout = 1000;
  }

  static async start(): Promise<FakeUpstreamServer> {
    const s = new FakeUpstreamServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  on(path: string, handler: UpstreamHandler): this {
    this.handlers.set(path, handler);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.handlers.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      closed,
    };
    this.requests.push(recorded);
    const path = (req.url ?? '').split('?')[0];
    const handler = this.handlers.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no handler"}}');
      return;
    }
    await handler(req, res, recorded);
  }
}

/** Helpers for handlers. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

export function chatChunk(content: string, finish: string | null = null): Record<string, unknown> {
  return {
    id: 'chatcmpl-up',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'up',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  };
}

export function chatCompletion(content: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-up',
    object: 'chat.completion',
    created: 1,
    model: 'up',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  };
}

/** A port nothing listens on (bound, then released), for connect-refused cases. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

// Unref'd so a handler still sleeping when a spec ends does not keep the worker alive.
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
