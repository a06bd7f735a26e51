import type { FastifyReply } from 'fastify';
import type { ChunkBatch } from '@llmp/routing';
import { normalizeError } from '../errors/error-normalizer';
import { openAiErrorBody } from '../errors/openai-error.envelope';
import { drainOrClose } from './client-drain';
import { StreamResponse } from './stream-response';

/**
 * Writes chunks as Server-Sent Events as each arrives (no buffering), then `data: [DONE]`. A failure mid-stream ends
 * with an SSE error event and no `[DONE]`, so clients never mistake it for a clean completion.
 */
export async function writeSse(
  reply: FastifyReply,
  headers: Record<string, string>,
  chunks: AsyncIterable<ChunkBatch>,
  requestId: string,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  const out = new StreamResponse(raw, { ...headers, 'content-type': 'text/event-stream; charset=utf-8' });
  try {
    for await (const batch of chunks) {
      if (out.destroyed) break;
      let events = '';
      for (const chunk of batch) events += `data: ${JSON.stringify(chunk)}\n\n`;
      if (!out.write(events)) await drainOrClose(raw);
    }
    if (!out.destroyed) out.write('data: [DONE]\n\n');
  } catch (e) {
    if (!out.destroyed) out.write(`event: error\ndata: ${JSON.stringify(openAiErrorBody(normalizeError(e, requestId)))}\n\n`);
  } finally {
    raw.end();
  }
}
