import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from '../support/fake-upstream';

/** How the fake answers: JSON, SSE events (with optional `event:` names) or NDJSON lines. */
export interface ProviderReply {
  status?: number;
  json?: unknown;
  sse?: { event?: string; data: unknown }[];
  ndjson?: unknown[];
}

/** A real HTTP server standing in for Anthropic, Gemini or Ollama, recording every translated request it receives. */
export class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  reply: (req: RecordedRequest) => ProviderReply = () => ({ status: 500, json: { error: 'no behaviour set' } });
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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
    const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    this.requests.push(recorded);
    const r = this.reply(recorded);
    if (r.sse) {
      res.writeHead(r.status ?? 200, { 'content-type': 'text/event-stream' });
      for (const ev of r.sse) res.write(`${ev.event ? `event: ${ev.event}\n` : ''}data: ${JSON.stringify(ev.data)}\n\n`);
      res.end();
      return;
    }
    if (r.ndjson) {
      res.writeHead(r.status ?? 200, { 'content-type': 'application/x-ndjson' });
      for (const line of r.ndjson) res.write(`${JSON.stringify(line)}\n`);
      res.end();
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r.json ?? {}));
  }
}

/** Anthropic stream events for a text answer followed by one tool call, with thinking first. */
export function anthropicToolStream(model: string): { event: string; data: unknown }[] {
  const ev = (type: string, fields: Record<string, unknown>): { event: string; data: unknown } => ({ event: type, data: { type, ...fields } });
  return [
    ev('message_start', { message: { id: 'msg_up', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: 21, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'let me see' } }),
    ev('content_block_stop', { index: 0 }),
    ev('ping', {}),
    ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Checking ' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'weather.' } }),
    ev('content_block_stop', { index: 1 }),
    ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }),
    ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
    ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
    ev('content_block_stop', { index: 2 }),
    ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 17 } }),
    ev('message_stop', {}),
  ];
}
