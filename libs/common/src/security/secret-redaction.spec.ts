import type { ProviderConfig } from '../contracts/gateway-config';
import { REDACTED, configSecretValues, redactSecrets, registerSecret, scrubLogLine, scrubEchoedSecrets, scrubSecrets, setConfigSecrets } from './secret-redaction';

const provider = (over: Partial<ProviderConfig>): ProviderConfig => ({ name: 'p', type: 'openai', ...over }) as ProviderConfig;

describe('scrubSecrets: by shape', () => {
  it('blanks every secret shape and keeps a JSON line valid JSON', () => {
    const shapes = {
      llmpKey: 'llmp_0123456789abcdefghijABCDEFGHIJ',
      master: 'llmp_admin_0123456789abcdefghij_-ABCDEFGH',
      adminToken: 'llmpadm_0123456789abcdefghijABCDEFGHIJabcdefghi',
      openai: 'sk-proj-abcdefghijklmnop0123',
      anthropic: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      google: 'AIzaSyA-0123456789abcdefghijklmnopqrstu',
      oauth: 'ya29.a0AfH6SMBabcdefghijklmnopqrstu',
      aws: 'AKIAIOSFODNN7EXAMPLE',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    };
    const line = JSON.stringify({
      msg: `upstream said: invalid key ${shapes.openai} for Bearer eyJhbGciOi.xyzxyz, Basic dXNlcjpwYXNzd29yZA==`,
      url: '/v1beta/models/m:generateContent?key=AIzaSyA-0123456789abcdefghijklmnopqrstu&alt=sse',
      q: 'x?key=plainvalue&api_key=another',
      echoed: { authorization: 'opaque-in-authorization-header', 'X-Api-Key': 'opaque-in-x-api-key' },
      ...shapes,
    });
    const out = scrubSecrets(line);
    expect(() => JSON.parse(out)).not.toThrow();
    for (const secret of [...Object.values(shapes), 'eyJhbGciOi.xyzxyz', 'dXNlcjpwYXNzd29yZA', 'plainvalue', 'another', 'opaque-in-authorization-header', 'opaque-in-x-api-key']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('&alt=sse');
  });

  it('blanks a credential header written out as text, JSON-escaped inside another JSON string', () => {
    const inner = JSON.stringify({ headers: { authorization: 'opaque-credential-1234' } });
    const out = scrubSecrets(JSON.stringify({ body: inner }));
    expect(out).not.toContain('opaque-credential-1234');
    expect(JSON.parse(JSON.parse(out).body)).toEqual({ headers: { authorization: REDACTED } });
  });

  it('leaves ordinary lines untouched (ids, short display prefixes, token counts, words after "bearer")', () => {
    const line = '{"msg":"request","requestId":"req_jrbfIZ536WIWWtiG","keyId":"key_3q2abc","keyPrefix":"llmp_AbC123","totalTokens":18}';
    expect(scrubSecrets(line)).toBe(line);
    expect(scrubSecrets('the task_management skill and 12 tokens')).toBe('the task_management skill and 12 tokens');
  });
});

describe('scrubSecrets: by exact value', () => {
  it('blanks every configured provider secret, all providers, apiKey and header values, in their encoded forms', () => {
    const key = 'opaque/upstream+credential="42"';
    const header = 'Bearer tenant-token-0f3c9a';
    setConfigSecrets({
      providers: [provider({ apiKey: key }), provider({ name: 'q', headers: { 'x-tenant-auth': header, 'x-short': 'v1' } })],
    });
    const basic = Buffer.from(`user:${key}`).toString('base64');
    const cases = [
      key,
      JSON.stringify({ error: { message: `bad key ${key}` } }),
      `https://x/?k=${encodeURIComponent(key)}`,
      `Authorization: Basic ${basic}`,
      `auth=${Buffer.from(key).toString('base64url')}`,
      `tenant-token-0f3c9a was refused`,
    ];
    for (const c of cases) {
      const out = scrubSecrets(c);
      expect(out).not.toContain(key);
      expect(out).not.toContain(JSON.stringify(key).slice(1, -1));
      expect(out).not.toContain(encodeURIComponent(key));
      expect(out).not.toContain(Buffer.from(key).toString('base64').slice(4, -4));
      expect(out).not.toContain('tenant-token-0f3c9a');
    }
    expect(scrubSecrets('header v1 stays')).toBe('header v1 stays');
  });

  it('takes a reloaded config\'s secrets at once, keeps the previous one\'s for requests in flight, keeps the master key', () => {
    registerSecret('master-key-opaque-value');
    registerSecret('short');
    setConfigSecrets({ providers: [provider({ apiKey: 'first-opaque-upstream-key' })] });
    expect(scrubSecrets('first-opaque-upstream-key')).toBe(REDACTED);
    setConfigSecrets({ providers: [provider({ apiKey: 'second-opaque-upstream-key' })] });
    expect(scrubSecrets('first-opaque-upstream-key second-opaque-upstream-key')).toBe(`${REDACTED} ${REDACTED}`);
    setConfigSecrets({ providers: [provider({ apiKey: 'third-opaque-upstream-key' })] });
    expect(scrubSecrets('first-opaque-upstream-key third-opaque-upstream-key')).toBe(`first-opaque-upstream-key ${REDACTED}`);
    expect(scrubSecrets('{"m":"master-key-opaque-value","w":"short"}')).toBe(`{"m":"${REDACTED}","w":"short"}`);
  });

  it('lists a config\'s credential values: apiKeys, header values and a header\'s token part, never short values', () => {
    expect(
      configSecretValues({ providers: [provider({ apiKey: 'k'.repeat(20), headers: { authorization: 'Bearer ' + 't'.repeat(12), v: '1' } })] }),
    ).toEqual(['k'.repeat(20), 'Bearer ' + 't'.repeat(12), 't'.repeat(12)]);
  });
});

describe('scrubLogLine (every log line)', () => {
  it('blanks the same shapes, admin tokens included, and registered secrets as they are and JSON-escaped', () => {
    setConfigSecrets({ providers: [provider({ apiKey: 'opaque"log-line-secret' })] });
    const token = 'llmpadm_' + 'a'.repeat(43);
    const line = JSON.stringify({ msg: `admin token ${token}`, upstream: 'opaque"log-line-secret', auth: 'Bearer sk-ant-api03-abcdefghijklmnopqrstuv' });
    const out = scrubLogLine(line);
    expect(JSON.parse(out)).toEqual({ msg: `admin token ${REDACTED}`, upstream: REDACTED, auth: `Bearer ${REDACTED}` });
  });

  it('leaves an access line untouched', () => {
    const line = '{"level":30,"msg":"request","requestId":"req_jrbfIZ536WIWWtiG","keyId":"key_3q2abc","path":"/v1/chat/completions","totalTokens":18}';
    expect(scrubLogLine(line)).toBe(line);
  });
});

describe('redactSecrets (queued jobs, audit payloads, debug body lines)', () => {
  it('replaces secret-named fields and secret-shaped substrings, keeps token counters', () => {
    const secret = 'llmp_' + 'x'.repeat(43);
    const admin = 'llmpadm_' + 'y'.repeat(43);
    const out = redactSecrets({
      keyHash: 'abc',
      nested: [{ password: 'p', note: `leaked ${secret} and ${admin} here` }],
      maxTokens: 10,
      keyPrefix: 'llmp_abcdef',
    });
    expect(out).toEqual({
      keyHash: REDACTED,
      nested: [{ password: REDACTED, note: `leaked ${REDACTED} and ${REDACTED} here` }],
      maxTokens: 10,
      keyPrefix: 'llmp_abcdef',
    });
  });
});

describe('scrubEchoedSecrets (successful answers)', () => {
  it('blanks registered secrets as they are and JSON-escaped, and leaves secret-shaped model output alone', () => {
    setConfigSecrets({ providers: [provider({ apiKey: 'prov-secret-"quoted"-0123456789' })] });
    const answer = JSON.stringify({ content: 'your key prov-secret-"quoted"-0123456789; example: sk-abcdefghijklmnopqrstuvwx' });
    const scrubbed = scrubEchoedSecrets(answer);
    expect(JSON.parse(scrubbed)).toEqual({ content: 'your key [redacted]; example: sk-abcdefghijklmnopqrstuvwx' });
    const plain = 'nothing to see';
    expect(scrubEchoedSecrets(plain)).toBe(plain);
    setConfigSecrets({ providers: [] });
  });
});
