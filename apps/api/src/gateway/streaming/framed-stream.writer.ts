import type { FastifyReply } from 'fastify';
import type { LlmpError } from '@llmp/common';
import { type ChunkBatch, DisconnectSignal } from '@llmp/routing';
import { normalizeError } from '../errors/error-normalizer';
import { drainOrClose } from './client-drain';
import { StreamResponse } from './stream-response';

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
export function abortOnDisconnect(reply: FastifyReply): DisconnectSignal {
  const signal = new DisconnectSignal();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) signal.abort();
  });
  return signal;
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
  const out = new StreamResponse(raw, { ...headers, 'content-type': framing.contentType });
  try {
    if (framing.open) out.write(framing.open);
    for await (const frame of frames) {
      if (out.destroyed) break;
      if (!out.write(frame)) await drainOrClose(raw);
    }
    if (!out.destroyed && framing.close) out.write(framing.close);
  } catch (e) {
    if (!out.destroyed) out.write(framing.error(normalizeError(e, requestId)));
  } finally {
    raw.end();
  }
}

/**
 * Maps every pipeline chunk through a surface's stream translator, then flushes its final frames. The frames of one
 * arrival leave as one string (one step of the writer's loop instead of one per frame).
 */
export async function* translateStream<T>(
  chunks: AsyncIterable<ChunkBatch>,
  translator: { push(chunk: Record<string, unknown>): T[]; end(): T[] },
  frame: (event: T) => string,
): AsyncGenerator<string> {
  for await (const batch of chunks) {
    let frames = '';
    try {
      for (const chunk of batch) for (const ev of translator.push(chunk)) frames += frame(ev);
    } catch (e) {
      // The frames of the chunks before the one that failed still go out, as they would one by one.
      if (frames !== '') yield frames;
      throw e;
    }
    if (frames !== '') yield frames;
  }
  let last = '';
  for (const ev of translator.end()) last += frame(ev);
  if (last !== '') yield last;
}
