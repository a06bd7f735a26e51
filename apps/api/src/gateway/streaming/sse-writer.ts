import type { FastifyReply } from 'fastify';
import { normalizeError } from '../errors/error-normalizer';
import { openAiErrorBody } from '../errors/openai-error.envelope';
import { drainOrClose } from './client-drain';

/**
 * Writes chunks as Server-Sent Events as each arrives (no buffering), then `data: [DONE]`. A failure mid-stream ends
 * with an SSE error event and no `[DONE]`, so clients never mistake it for a clean completion.
 */
export async function writeSse(
  reply: FastifyReply,
  headers: Record<string, string>,
  chunks: AsyncIterable<Record<string, unknown>>,
  requestId: string,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  try {
    for await (const chunk of chunks) {
      if (raw.destroyed) break;
      if (!raw.write(`data: ${JSON.stringify(chunk)}\n\n`)) await drainOrClose(raw);
    }
    if (!raw.destroyed) raw.write('data: [DONE]\n\n');
  } catch (e) {
    if (!raw.destroyed) raw.write(`event: error\ndata: ${JSON.stringify(openAiErrorBody(normalizeError(e, requestId)))}\n\n`);
  } finally {
    raw.end();
  }
}
