/** A RESP2 reply: simple strings and bulk strings as strings, integers as numbers, nil as null, arrays nested. */
export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply (`-ERR …`, `-NOSCRIPT …`): a value inside arrays, a rejection at the top level. */
export class RespError extends Error {
  override readonly name = 'ReplyError';
}

const CR = 13;
/** Returned while a reply is only partly received. */
const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

/**
 * Incremental RESP2 reply reader: feed it socket chunks, it hands out complete replies in order. A reply split
 * across chunks waits for the rest (the unread tail is kept and joined with the next chunk; replies on the hot path
 * are a few dozen bytes per request, a few hundred for a batched admission, so the copy is small and rare).
 */
export class RespReader {
  private buf: Buffer | null = null;

  constructor(private readonly onReply: (value: RespValue) => void) {}

  feed(chunk: Buffer): void {
    let buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    let at = 0;
    while (at < buf.length) {
      const parsed = parse(buf, at);
      if (parsed === INCOMPLETE) break;
      at = parsed.end;
      this.onReply(parsed.value);
    }
    if (at >= buf.length) this.buf = null;
    else {
      buf = buf.subarray(at);
      // Keep a copy so the socket's chunk (possibly pooled) is not retained.
      this.buf = Buffer.from(buf);
    }
  }

  reset(): void {
    this.buf = null;
  }
}

function lineEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf(CR, from);
  return i === -1 || i + 1 >= buf.length ? -1 : i;
}

function parse(buf: Buffer, at: number): Parsed {
  const end = lineEnd(buf, at + 1);
  if (end === -1) return INCOMPLETE;
  const type = buf[at];
  const next = end + 2;
  switch (type) {
    case 0x2b: // '+'
      return { value: buf.toString('utf8', at + 1, end), end: next };
    case 0x2d: // '-'
      return { value: new RespError(buf.toString('utf8', at + 1, end)), end: next };
    case 0x3a: // ':'
      return { value: Number(buf.toString('latin1', at + 1, end)), end: next };
    case 0x24: { // '$'
      const len = Number(buf.toString('latin1', at + 1, end));
      if (len < 0) return { value: null, end: next };
      if (next + len + 2 > buf.length) return INCOMPLETE;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case 0x2a: { // '*'
      const count = Number(buf.toString('latin1', at + 1, end));
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = new Array<RespValue>(count);
      let pos = next;
      for (let i = 0; i < count; i++) {
        if (pos >= buf.length) return INCOMPLETE;
        const item = parse(buf, pos);
        if (item === INCOMPLETE) return INCOMPLETE;
        items[i] = item.value;
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      throw new Error(`Redis protocol error: unexpected reply type byte ${type}`);
  }
}
