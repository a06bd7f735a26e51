import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { ensureBuiltApi, freePort, waitFor, waitReadyOrKill, writeConfig } from './production.fixture';

const root = join(__dirname, '..', '..');

/** A built process with everything it writes to stdout and stderr kept (the test reads every line). */
interface LoggedProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function spawnLogged(entry: string, portVar: string, env: Record<string, string>): Promise<LoggedProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(root, entry)], {
    cwd: root,
    env: { ...process.env, ...env, [portVar]: String(port), LLMP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitReadyOrKill(url, child, () => output);
  return { url, child, output: () => output };
}

function jsonLines(text: string): Record<string, unknown>[] {
  // Only whole lines: the last one may still be arriving.
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Structured logs of the real processes: JSON lines with request and key ids, one access line per request, and no
 * secret (llmp keys, the master key, the upstream key) or prompt anywhere in the output, unless a key has
 * `debugLogging` on, which logs that key's bodies with secrets still redacted.
 */
describe('structured logs (built data plane and control plane)', () => {
  const upstream = new FakeUpstream();
  const masterKey = `llmp_admin_${randomBytes(24).toString('base64url')}`;
  const upstreamKey = `sk-upstream-${randomBytes(16).toString('hex')}`;
  const opaqueUpstreamKey = `opaque-${randomBytes(12).toString('hex')}`;
  const COMPLETION = 'completion-canary-7d1e';
  let api: LoggedProcess;
  let admin: LoggedProcess;
  let plain: { id: string; key: string };
  let debug: { id: string; key: string };

  beforeAll(async () => {
    ensureBuiltApi();
    const base = await upstream.start();
    upstream.behavior = (req) => ({ json: chatCompletion(req, COMPLETION) });
    const config = writeConfig(`
providers:
  - { name: up, type: openai, baseUrl: "${base}", apiKey: "${upstreamKey}" }
  - { name: up2, type: openai, baseUrl: "${base}", apiKey: "${opaqueUpstreamKey}" }
models:
  - { name: m, targets: [{ provider: up, model: fake-m }], pricing: { input: 1, output: 2 } }
`);
    const env = {
      LLMP_CONFIG: config,
      LLMP_MASTER_KEY: masterKey,
      LLMP_LOG_FORMAT: 'json',
      LLMP_LOG_LEVEL: 'log',
      LLMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'llmp-logs-')),
    };
    [admin, api] = await Promise.all([
      spawnLogged('dist/apps/admin/src/main.js', 'LLMP_ADMIN_PORT', env),
      spawnLogged('dist/apps/api/src/main.js', 'LLMP_API_PORT', env),
    ]);
    const create = async (name: string, debugLogging: boolean): Promise<{ id: string; key: string }> => {
      const res = await fetch(`${admin.url}/admin/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, ...(debugLogging && { debugLogging }) }),
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; key: string; debugLogging?: boolean };
      return { id: body.id, key: body.key };
    };
    plain = await create(`logs-plain-${randomBytes(3).toString('hex')}`, false);
    debug = await create(`logs-debug-${randomBytes(3).toString('hex')}`, true);
    const view = (await (await fetch(`${admin.url}/admin/v1/keys/${debug.id}`, { headers: { 'x-management-key': masterKey } })).json()) as {
      debugLogging: boolean;
    };
    expect(view.debugLogging).toBe(true);
  }, 120_000);

  afterAll(async () => {
    for (const p of [api, admin]) if (p?.child.exitCode === null) p.child.kill('SIGTERM');
    await upstream.close();
  });

  const chat = (headers: Record<string, string>, prompt: string, requestId: string): Promise<Response> =>
    fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: prompt }] }),
    });

  it('writes JSON access lines with request and key ids, and no secret or prompt', async () => {
    const tag = randomBytes(4).toString('hex');
    const ok = `logs-ok-${tag}`;
    const viaHeader = `logs-xapi-${tag}`;
    const denied = `logs-master-${tag}`;
    expect((await chat({ authorization: `Bearer ${plain.key}` }, `prompt-canary-plain ${plain.key}`, ok)).status).toBe(200);
    expect((await chat({ 'x-api-key': plain.key }, 'prompt-canary-plain again', viaHeader)).status).toBe(200);
    // The master key is not a data plane credential: a 401, and it must not be logged either.
    expect((await chat({ authorization: `Bearer ${masterKey}` }, 'prompt-canary-plain denied', denied)).status).toBe(401);
    // Gemini's `?key=` carries the key in the URL; the access line's path is the route pattern, never the query.
    const gemini = await fetch(`${api.url}/v1beta/models/m:generateContent?key=${plain.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'prompt-canary-plain gemini' }] }] }),
    });
    expect(gemini.status).toBe(200);
    // The admin API logs too: a failed admin call with the master key in another header.
    await fetch(`${admin.url}/admin/v1/keys/does-not-exist`, { headers: { 'x-management-key': masterKey } });

    // Lines reach stdout in batches (a quarter-second timer on a quiet process): wait for every one this test reads.
    const hasGeminiLine = (): boolean => jsonLines(api.output()).some((l) => l.msg === 'request' && l.surface === 'gemini');
    await waitFor('access lines', () => [ok, viaHeader, denied].every((id) => api.output().includes(id)) && hasGeminiLine(), 10_000);
    const lines = jsonLines(api.output());
    const access = (id: string) => lines.find((l) => l.msg === 'request' && String(l.requestId).startsWith(id));
    expect(access(ok)).toMatchObject({
      level: 'info', app: 'api', method: 'POST', path: '/v1/chat/completions', status: 200, surface: 'openai', model: 'm',
      provider: 'up', keyId: plain.id, promptTokens: 11, completionTokens: 7, totalTokens: 18,
    });
    expect(access(ok)!.durationMs).toEqual(expect.any(Number));
    expect(access(ok)!.upstreamMs).toEqual(expect.any(Number));
    expect(access(viaHeader)).toMatchObject({ status: 200, keyId: plain.id });
    expect(access(denied)).toMatchObject({ status: 401, keyId: null, errorCode: 'invalid_api_key' });
    const geminiLine = lines.find((l) => l.msg === 'request' && l.surface === 'gemini');
    expect(geminiLine).toMatchObject({ status: 200, keyId: plain.id });
    expect(String(geminiLine!.path)).not.toContain('?');
    // Every line the processes wrote is JSON with a level, a time and the process name (the banner aside: plain text).
    for (const l of lines) expect(l).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(Number), app: expect.any(String) }));

    // The banner follows `listen`, so readiness can come first on a busy machine. What its demo line says depends on
    // the shared database (another spec may have revoked the demo key); it must never carry a key either way.
    await waitFor('the admin banner', () => admin.output().includes('Demo key'), 10_000);
    const demoLine = admin.output().split('\n').find((l) => l.includes('Demo key')) ?? '';
    expect(demoLine).not.toMatch(/llmp_[A-Za-z0-9_-]{20,}/);
    if (!/ was (revoked|expired|rotated)|not available/.test(demoLine)) expect(demoLine).toContain('secret not shown');
    const everything = api.output() + admin.output();
    for (const secret of [plain.key, debug.key, masterKey, upstreamKey, opaqueUpstreamKey]) expect(everything).not.toContain(secret);
    const apiText = api.output();
    expect(apiText).not.toContain('prompt-canary-plain');
    expect(apiText).not.toContain(COMPLETION);
    // The last-line scrubber's shapes: nothing key-like anywhere in either process's output, the banner included (a
    // supplied master key and a non-terminal stdout: the demo key's secret is not shown either).
    expect(everything).not.toMatch(/llmp_[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9_-]{16,}/);
  });

  it('logs a key\'s bodies only when its debugLogging flag is on, still redacted', async () => {
    const id = `logs-debug-${randomBytes(4).toString('hex')}`;
    const res = await chat({ authorization: `Bearer ${debug.key}` }, `prompt-canary-debug, my other key is ${plain.key}`, id);
    expect(res.status).toBe(200);
    await waitFor('the body line', () => jsonLines(api.output()).some((l) => String(l.requestId).startsWith(id) && l.level === 'debug'), 10_000);
    const bodyLine = jsonLines(api.output()).find((l) => String(l.requestId).startsWith(id) && l.level === 'debug')!;
    expect(bodyLine.keyId).toBe(debug.id);
    const text = JSON.stringify(bodyLine);
    expect(text).toContain('prompt-canary-debug');
    expect(text).toContain(COMPLETION);
    expect(text).not.toContain(plain.key);
    expect(text).toContain('[redacted]');
    expect(api.output()).not.toContain(debug.key);
  });
});
