import { readSseEvents, SseEventTooLargeError, SseParser, type SseEvent } from './sse-parser';

const enc = new TextEncoder();

function parseAll(chunks: (string | Uint8Array)[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(typeof c === 'string' ? enc.encode(c) : c));
  out.push(...p.end());
  return out;
}

/** Every way of cutting the bytes in two must give the same events as feeding them whole. */
function everySplit(text: string): SseEvent[][] {
  const bytes = enc.encode(text);
  const results: SseEvent[][] = [];
  for (let i = 0; i <= bytes.length; i++) results.push(parseAll([bytes.slice(0, i), bytes.slice(i)]));
  return results;
}

describe('SseParser', () => {
  it('parses data events separated by blank lines', () => {
    expect(parseAll(['data: {"a":1}\n\ndata: [DONE]\n\n'])).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('handles \\r\\n and bare \\r line endings', () => {
    expect(parseAll(['data: a\r\n\r\ndata: b\r\rdata: c\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('does not see an empty line when \\r\\n is split across chunks', () => {
    expect(parseAll(['data: a\r', '\ndata: b\r\n', '\r\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('joins multi-line data with \\n and keeps the event name and id', () => {
    expect(parseAll(['event: error\nid: 7\ndata: line1\ndata:line2\ndata\n\n'])).toEqual([
      { event: 'error', id: '7', data: 'line1\nline2\n' },
    ]);
  });

  it('ignores comments and unknown fields, and events without data', () => {
    expect(parseAll([': keep-alive\n\nretry: 10\nfoo: bar\n\nevent: ping\n\ndata: x\n\n'])).toEqual([
      { event: 'message', data: 'x' },
    ]);
  });

  it('strips exactly one space after the colon', () => {
    expect(parseAll(['data:  two spaces\n\n'])).toEqual([{ event: 'message', data: ' two spaces' }]);
  });

  it('gives the same result for every chunk boundary, multi-byte UTF-8 included', () => {
    const text = 'data: {"c":"héllo → 世界 🎉"}\r\n\r\n: c\ndata: [DONE]\n\n';
    const expected = [
      { event: 'message', data: '{"c":"héllo → 世界 🎉"}' },
      { event: 'message', data: '[DONE]' },
    ];
    for (const r of everySplit(text)) expect(r).toEqual(expected);
  });

  it('survives one byte per chunk', () => {
    const bytes = enc.encode('data: 🎉 ok\r\n\r\n');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(parseAll(chunks)).toEqual([{ event: 'message', data: '🎉 ok' }]);
  });

  it('dispatches a final event that lacks the closing blank line', () => {
    expect(parseAll(['data: a\n\ndata: [DONE]'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('returns events as soon as they complete, not at the end', () => {
    const p = new SseParser();
    expect(p.push(enc.encode('data: 1\n'))).toEqual([]);
    expect(p.push(enc.encode('\ndata: 2'))).toEqual([{ event: 'message', data: '1' }]);
    expect(p.push(enc.encode('\n\n'))).toEqual([{ event: 'message', data: '2' }]);
    expect(p.end()).toEqual([]);
  });

  it('throws instead of buffering an event past its limit (an unterminated line or many data lines)', () => {
    const line = new SseParser(1000);
    expect(line.push(enc.encode(`data: ${'x'.repeat(900)}`))).toEqual([]);
    expect(() => line.push(enc.encode('x'.repeat(200)))).toThrow(SseEventTooLargeError);
    const lines = new SseParser(1000);
    expect(() => lines.push(enc.encode(`data: ${'y'.repeat(100)}\n`.repeat(12)))).toThrow('stream event larger than 1000 bytes');
    const fine = new SseParser(1000);
    for (let i = 0; i < 50; i++) expect(fine.push(enc.encode(`data: ${'z'.repeat(100)}\n\n`))).toHaveLength(1);
  });
});

describe('readSseEvents', () => {
  it('yields events from an async byte stream', async () => {
    async function* src(): AsyncGenerator<Uint8Array> {
      yield enc.encode('data: 1\n\nda');
      yield enc.encode('ta: 2\n\n');
    }
    const got: string[] = [];
    for await (const ev of readSseEvents(src())) got.push(ev.data);
    expect(got).toEqual(['1', '2']);
  });
});
