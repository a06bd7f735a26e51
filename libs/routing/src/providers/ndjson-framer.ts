import type { SseEvent } from '../http/sse-parser';

/**
 * Frames a newline-delimited JSON stream (Ollama's native API) into the same events the SSE parser yields, one per
 * non-empty line, so stream mappers see one event shape whatever the provider's framing.
 */
export class NdjsonFramer {
  // stream: true keeps a partial multi-byte character for the next chunk.
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';

  push(chunk: Uint8Array): SseEvent[] {
    return this.lines(this.pending + this.decoder.decode(chunk, { stream: true }), false);
  }

  end(): SseEvent[] {
    return this.lines(this.pending + this.decoder.decode(), true);
  }

  private lines(text: string, final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl).trim();
      if (line) out.push({ event: 'message', data: line });
      start = nl + 1;
    }
    this.pending = text.slice(start);
    if (final && this.pending.trim()) out.push({ event: 'message', data: this.pending.trim() });
    if (final) this.pending = '';
    return out;
  }
}
