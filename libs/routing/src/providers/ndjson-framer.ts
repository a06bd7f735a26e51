import { SseEventTooLargeError, type SseEvent } from '../http/sse-parser';

/**
 * Frames a newline-delimited JSON stream (Ollama's native API) into the same events the SSE parser yields, one per
 * non-empty line, so stream mappers see one event shape whatever the provider's framing.
 */
export class NdjsonFramer {
  // stream: true keeps a partial multi-byte character for the next chunk.
  private readonly decoder = new TextDecoder('utf-8');
  // The current unterminated line, as the pieces it arrived in (only new text is searched for its end).
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(private readonly maxLineChars = Number.POSITIVE_INFINITY) {}

  push(chunk: Uint8Array): SseEvent[] {
    return this.lines(this.decoder.decode(chunk, { stream: true }), false);
  }

  end(): SseEvent[] {
    return this.lines(this.decoder.decode(), true);
  }

  private lines(text: string, final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.emit(this.take(text.slice(start, nl)), out);
      start = nl + 1;
    }
    if (start < text.length) {
      this.pending.push(text.slice(start));
      this.pendingChars += text.length - start;
    }
    if (this.pendingChars > this.maxLineChars) throw new SseEventTooLargeError(this.maxLineChars);
    if (final && this.pendingChars) this.emit(this.take(''), out);
    return out;
  }

  /** The pending pieces plus `tail`, as one line; clears the pending state. */
  private take(tail: string): string {
    if (!this.pendingChars) return tail;
    this.pending.push(tail);
    const line = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    return line;
  }

  private emit(raw: string, out: SseEvent[]): void {
    const line = raw.trim();
    if (line) out.push({ event: 'message', data: line });
  }
}
