import type { FastifyReply } from 'fastify';
import type { LlmpError } from '@llmp/common';
import { normalizeError } from '../errors/error-normalizer';
import { drainOrClose } from './client-drain';

/** How one surface frames its stream on the wire. */
export interface StreamFraming {
  contentType: string;
  /** Written before the first frame (the JSON-array stream form opens with `[`). */
  open?: string;
  /** Written after the last frame on a clean end (`]`, or nothing). */
  close?: string;
  /** The frame that reports a failure after the headers went out; the stream then ends without `close`. */
  error(e: LlmpError): string;
}

/** Aborts the upstream call the moment the client goes away before the response is complete. */
export function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Writes already-framed strings as they arrive (no buffering), for the Anthropic, Gemini, Ollama and Responses surfaces. */
export async function writeFramedStream(
  reply: FastifyReply,
  headers: Record<string, string>,
  framing: StreamFraming,
  frames: AsyncIterable<string>,
  requestId: string,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...headers, 'content-type': framing.contentType, 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.flushHeaders();
  try {
    if (framing.open) raw.write(framing.open);
    for await (const frame of frames) {
      if (raw.destroyed) break;
      if (!raw.write(frame)) await drainOrClose(raw);
    }
    if (!raw.destroyed && framing.close) raw.write(framing.close);
  } catch (e) {
    if (!raw.destroyed) raw.write(framing.error(normalizeError(e, requestId)));
  } finally {
    raw.end();
  }
}

/** Maps every pipeline chunk through a surface's stream translator, then flushes its final frames. */
export async function* translateStream<T>(
  chunks: AsyncIterable<Record<string, unknown>>,
  translator: { push(chunk: Record<string, unknown>): T[]; end(): T[] },
  frame: (event: T) => string,
): AsyncGenerator<string> {
  for await (const chunk of chunks) for (const ev of translator.push(chunk)) yield frame(ev);
  for (const ev of translator.end()) yield frame(ev);
}
