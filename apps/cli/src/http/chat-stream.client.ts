// The gateway's one SSE parser, imported by path: the routing lib's index would load its Nest providers too.
import { readSseEvents } from '../../../../libs/routing/src/http/sse-parser';
import { CliError } from '../cli.error';
import { isTimeout, isUnreachable } from './network-error';

export interface ChatRequest {
  model: string;
  prompt: string;
  system?: string;
  maxTokens?: number;
}

export interface ChatSummary {
  model: string | undefined;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  finishReason: string | undefined;
}

/** The parts of an OpenAI chat.completion.chunk (or an in-stream error) the CLI reads. */
interface ChunkOrError {
  model?: string;
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string; code?: string | null };
}

const CONNECT_TIMEOUT_MS = 30_000;

function keyHint(): string {
  return 'pass --key or set LLMP_KEY to an llmp_ key (create one with `llmp keys create --name <name> --quiet`)';
}

async function failure(res: Response, base: string): Promise<CliError> {
  const text = await res.text();
  let message = text.trim().slice(0, 300) || res.statusText;
  try {
    const body = JSON.parse(text) as ChunkOrError;
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not an OpenAI error body; show its start as it is.
  }
  if (res.status === 401) return new CliError(`the gateway at ${base} rejected the key (${message}): ${keyHint()}`);
  return new CliError(`${message} (HTTP ${res.status})`);
}

/** One streamed chat completion through the data plane; `onText` gets each piece of content as it arrives. */
export async function streamChat(apiUrl: string, key: string | undefined, req: ChatRequest, onText: (text: string) => void): Promise<ChatSummary> {
  const base = apiUrl.replace(/\/+$/, '');
  const messages = [...(req.system ? [{ role: 'system', content: req.system }] : []), { role: 'user', content: req.prompt }];
  const connect = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
  const abort = new AbortController();
  connect.addEventListener('abort', () => abort.abort(connect.reason));
  let res: Response;
  try {
    res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(key && { authorization: `Bearer ${key}` }) },
      body: JSON.stringify({
        model: req.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(req.maxTokens !== undefined && { max_tokens: req.maxTokens }),
      }),
      signal: abort.signal,
    });
  } catch (e) {
    if (isUnreachable(e)) throw new CliError(`cannot reach the gateway at ${base}: is \`llmp serve\` running? (or set LLMP_API_URL / --api-url)`);
    if (isTimeout(e)) throw new CliError(`the gateway at ${base} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
    throw new CliError(`request to the gateway at ${base} failed: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) throw await failure(res, base);

  // Headers arrived: a long generation may stream for minutes, so only connecting is time-limited.
  const summary: ChatSummary = { model: undefined, promptTokens: undefined, completionTokens: undefined, finishReason: undefined };
  const stream = res.body as unknown as AsyncIterable<Uint8Array>; // a web ReadableStream is async-iterable on Node 20
  try {
    for await (const ev of readSseEvents(stream)) {
      if (ev.data === '[DONE]') break;
      const chunk = JSON.parse(ev.data) as ChunkOrError;
      if (chunk.error) throw new CliError(`the stream failed: ${chunk.error.message ?? chunk.error.code ?? 'unknown error'}`);
      summary.model ??= chunk.model;
      for (const choice of chunk.choices ?? []) {
        if (choice.delta?.content) onText(choice.delta.content);
        if (choice.finish_reason) summary.finishReason = choice.finish_reason;
      }
      if (chunk.usage) {
        summary.promptTokens = chunk.usage.prompt_tokens;
        summary.completionTokens = chunk.usage.completion_tokens;
      }
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof SyntaxError) throw new CliError(`the gateway sent an event that is not JSON: ${e.message}`);
    throw new CliError(`the stream from ${base} broke off: ${(e as Error).message}`);
  }
  return summary;
}
