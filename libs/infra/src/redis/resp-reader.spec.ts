import { RespError, RespReader, type RespValue } from './resp-reader';

function readAll(chunks: Buffer[]): RespValue[] {
  const out: RespValue[] = [];
  const reader = new RespReader((v) => out.push(v));
  for (const c of chunks) reader.feed(c);
  return out;
}

describe('RespReader', () => {
  const wire = Buffer.from(
    '+OK\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n$0\r\n\r\n-ERR wrong\r\n' +
      '*3\r\n:1\r\n*2\r\n$3\r\nabc\r\n-NOSCRIPT gone\r\n$5\r\nf\u00fc\u00df\r\n',
    'utf8',
  );
  const expected = ['OK', 42, -7, 'hello', null, null, '', new RespError('ERR wrong'), [1, ['abc', new RespError('NOSCRIPT gone')], 'füß']];

  it('reads every RESP2 type, nested arrays and multi-byte text', () => {
    expect(readAll([wire])).toEqual(expected);
  });

  it('gives the same replies whatever the chunking, down to one byte at a time', () => {
    const bytes = [...wire].map((b) => Buffer.from([b]));
    expect(readAll(bytes)).toEqual(expected);
    for (let cut = 1; cut < wire.length; cut += 3) {
      expect(readAll([wire.subarray(0, cut), wire.subarray(cut)])).toEqual(expected);
    }
  });

  it('a bulk string whose payload contains CRLF is read by its length, not its lines', () => {
    expect(readAll([Buffer.from('$4\r\na\r\nb\r\n:1\r\n')])).toEqual(['a\r\nb', 1]);
  });

  it('an unknown type byte is a protocol error, not a silent skip', () => {
    expect(() => readAll([Buffer.from('?what\r\n')])).toThrow(/protocol error/);
  });
});
