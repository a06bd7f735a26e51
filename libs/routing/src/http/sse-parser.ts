/** One Server-Sent Event as defined by the WHATWG event-stream format. */
export interface SseEvent {
  /** The `event:` field, or 'message' when absent. */
  event: string;
  /** The `data:` lines joined with '\n'. */
  data: string;
  /** The last `id:` field seen on this event, if any. */
  id?: string;
}

const LF = 10;
const CR = 13;

/**
 * An incremental SSE parser: feed it raw bytes as they arrive and it returns the events completed so far.
 * Chunk boundaries may fall anywhere, inside a line, between `\r` and `\n`, or inside a multi-byte UTF-8 character.
 * One instance per stream; every adapter that reads SSE goes through it instead of splitting text itself.
 * An event (or line) growing past `maxEventChars` throws instead of buffering on: an upstream that never sends
 * the closing blank line must not be able to fill the gateway's memory.
 */
export class SseParser {
  // stream: true keeps a partial multi-byte character for the next chunk instead of emitting U+FFFD.
  private readonly decoder = new TextDecoder('utf-8');
  // The current unterminated line, as the pieces it arrived in.
  private pending: string[] = [];
  private pendingChars = 0;
  // A chunk that ended in '\r' may be followed by the '\n' of the same line terminator.
  private skipLeadingLf = false;
  private data = '';
  private hasData = false;
  private eventType = '';
  private id: string | undefined;

  constructor(private readonly maxEventChars = Number.POSITIVE_INFINITY) {}

  /** Feeds bytes; returns the events they completed (often none, sometimes several). */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    this.consume(this.decoder.decode(chunk, { stream: true }), out);
    return out;
  }

  /**
   * Ends the stream. A final event without the closing blank line is still dispatched: some OpenAI-compatible
   * servers end with `data: [DONE]` and no trailing newline, and a truncated JSON event fails loudly later anyway.
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.consume(this.decoder.decode(), out);
    if (this.pendingChars) {
      this.line(this.pending.join(''), out);
      this.pending = [];
      this.pendingChars = 0;
    }
    this.dispatch(out);
    return out;
  }

  private consume(text: string, out: SseEvent[]): void {
    if (!text.length) return;
    let start = 0;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    // Only the new text can hold a line end, so an unterminated line is never rescanned (no quadratic work).
    const len = text.length;
    for (let i = start; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      const piece = text.slice(start, i);
      if (this.pendingChars) {
        this.pending.push(piece);
        this.line(this.pending.join(''), out);
        this.pending = [];
        this.pendingChars = 0;
      } else {
        this.line(piece, out);
      }
      if (c === CR) {
        if (i + 1 < len) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    if (start < len) {
      this.pending.push(text.slice(start));
      this.pendingChars += len - start;
    }
    if (this.pendingChars + this.data.length > this.maxEventChars) throw new SseEventTooLargeError(this.maxEventChars);
  }

  private line(line: string, out: SseEvent[]): void {
    if (!line.length) {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment, e.g. keep-alive pings */) return;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        // `retry` and unknown fields carry nothing a proxy needs.
        break;
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.hasData) {
      const ev: SseEvent = { event: this.eventType || 'message', data: this.data };
      if (this.id !== undefined) ev.id = this.id;
      out.push(ev);
    }
    this.data = '';
    this.hasData = false;
    this.eventType = '';
  }
}

/** Thrown by the parser when one event outgrows its limit. */
export class SseEventTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`stream event larger than ${limit} bytes`);
    this.name = 'SseEventTooLargeError';
  }
}

/** Turns a byte stream into SSE events, yielding each as soon as its closing blank line arrives. */
export async function* readSseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  for await (const chunk of body) {
    const events = parser.push(chunk);
    for (let i = 0; i < events.length; i++) yield events[i];
  }
  const rest = parser.end();
  for (let i = 0; i < rest.length; i++) yield rest[i];
}
