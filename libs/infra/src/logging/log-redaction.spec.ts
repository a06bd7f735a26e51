import { registerLogSecret, scrubSecrets } from './log-redaction';

describe('scrubSecrets (the last-line scrubber)', () => {
  it('blanks every secret shape and keeps the line valid JSON', () => {
    const line = JSON.stringify({
      msg: 'upstream said: invalid key sk-proj-abcdefghijklmnop0123 for Bearer eyJhbGciOi.xyz',
      url: '/v1beta/models/m:generateContent?key=AIzaSyA-0123456789abcdefghijklmnopqrstu&alt=sse',
      k: 'llmp_0123456789abcdefghijABCDEFGHIJ',
      admin: 'llmp_admin_0123456789abcdefghij',
      q: 'x?key=plainvalue',
    });
    const out = scrubSecrets(line);
    expect(() => JSON.parse(out)).not.toThrow();
    for (const secret of ['sk-proj-abcdefghijklmnop0123', 'eyJhbGciOi.xyz', 'AIzaSyA-0123456789', 'llmp_0123456789', 'llmp_admin_0123', 'plainvalue']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('&alt=sse');
  });

  it('leaves ordinary lines untouched (ids, short display prefixes, token counts)', () => {
    const line = '{"msg":"request","requestId":"req_jrbfIZ536WIWWtiG","keyId":"key_3q2abc","keyPrefix":"llmp_AbC123","totalTokens":18}';
    expect(scrubSecrets(line)).toBe(line);
  });

  it('blanks registered secrets of any shape (upstream keys from the config, the master key)', () => {
    registerLogSecret('opaque-upstream-credential-42');
    registerLogSecret('short');
    expect(scrubSecrets('{"msg":"opaque-upstream-credential-42 rejected","w":"short"}')).toBe('{"msg":"[redacted] rejected","w":"short"}');
  });
});
