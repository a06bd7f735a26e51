import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import OpenAI from 'openai';
import { InfraModule } from '@llmp/infra';
import { createAdminApp } from '../../apps/admin/src/bootstrap';
import { WorkersModule } from '../../apps/admin/src/workers/workers.module';
import { startDataPlane } from '../support/gateway-harness';
import { ensureCliBuilt, runCli, type CliResult } from './cli-runner';

const MASTER = 'llmp_admin_cli_e2e_master_key_0123456789abcdef';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function ok(r: CliResult): string {
  if (r.code !== 0) throw new Error(`llmp exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The `llmp` binary as a child process against the real control plane, data plane and workers (in this process) on
 * real Postgres and Redis, with the built-in demo config (mock provider, auth required).
 */
describe('llmp against a running gateway', () => {
  let admin: NestFastifyApplication;
  let api: NestFastifyApplication;
  let workers: TestingModule;
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let adminUrl: string;
  const started = new Date(Date.now() - 60_000).toISOString();

  const llmp = (...args: string[]) => runCli(args, env);
  const openai = (key: string) => new OpenAI({ baseURL: `${apiUrl}/v1`, apiKey: key, maxRetries: 0 });
  const chat = (key: string) => openai(key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: { status?: number }) => e.status ?? -1);

  beforeAll(async () => {
    process.env.LLMP_MASTER_KEY = MASTER;
    process.env.LLMP_DATA_DIR = mkdtempSync(join(tmpdir(), 'llmp-cli-'));
    delete process.env.LLMP_CONFIG; // the built-in demo config
    admin = await createAdminApp({ logger: ['error'] });
    await admin.listen({ port: 0, host: '127.0.0.1' });
    adminUrl = (await admin.getUrl()).replace('[::1]', '127.0.0.1');
    ({ app: api, url: apiUrl } = await startDataPlane());
    workers = await Test.createTestingModule({
      imports: [InfraModule, WorkersModule.forRoot({ batchWaitMs: 10, relayIntervalMs: 100, run: { usage: true, audit: true, relay: true, prune: false } })],
    }).compile();
    await workers.init();
    env = { LLMP_ADMIN_URL: adminUrl, LLMP_ADMIN_TOKEN: MASTER, LLMP_API_URL: apiUrl, LLMP_KEY: '' };
    await ensureCliBuilt();
  }, 120_000);

  afterAll(async () => {
    await workers?.close();
    await api?.close();
    await admin?.close();
  });

  it('creates, lists, shows, rotates and revokes a key that the openai SDK uses until it is revoked', async () => {
    const created = JSON.parse(ok(await llmp('keys', 'create', '--name', 'cli-lifecycle', '--models', 'gpt-4o-mini,gpt-4o', '--alias', 'quick=gpt-4o-mini',
      '--max-tokens', 'gpt-4o=512', '--rpm', '100', '--budget', '5', '--period', 'month', '--expires', '30d', '--json')));
    expect(created).toMatchObject({
      name: 'cli-lifecycle', allowedModels: ['gpt-4o-mini', 'gpt-4o'], modelAliases: { quick: 'gpt-4o-mini' },
      perModelMaxTokens: { 'gpt-4o': 512 }, rpm: 100, budgetUsd: 5, budgetPeriod: 'month',
    });
    expect(created.key).toMatch(/^llmp_/);
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await chat(created.key)).choices[0].message.content).toBeTruthy();

    const human = ok(await llmp('keys', 'create', '--name', 'cli-human'));
    expect(human).toMatch(/^Created key key_\S+ \(cli-human\)\nSecret \(shown once, store it now\):\n {2}llmp_\S+\n$/);
    const quiet = ok(await llmp('keys', 'create', '--name', 'cli-quiet', '--quiet')).trim();
    expect(quiet).toMatch(/^llmp_[A-Za-z0-9_-]+$/);

    const listed = JSON.parse(ok(await llmp('keys', 'list', '--search', 'cli-', '--json'))) as { id: string; name: string }[];
    expect(listed.map((k) => k.name)).toEqual(expect.arrayContaining(['cli-lifecycle', 'cli-human', 'cli-quiet']));
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const table = ok(await llmp('keys', 'list', '--search', 'cli-lifecycle'));
    expect(table).toMatch(new RegExp(`${created.id}\\s*│\\s*cli-lifecycle\\s*│\\s*${created.keyPrefix}`));
    expect(ok(await llmp('keys', 'show', created.id))).toMatch(/status\s*│\s*active/);

    const rotated = JSON.parse(ok(await llmp('keys', 'rotate', created.id, '--json')));
    expect(rotated.key).not.toBe(created.key);
    expect(await status(chat(rotated.key))).toBe(200);
    await waitFor('the old secret to stop working', async () => ((await status(chat(created.key))) === 401 ? true : undefined), 3000);

    const revoked = await llmp('keys', 'revoke', created.id);
    expect(ok(revoked)).toMatch(new RegExp(`^Revoked key ${created.id} \\(cli-lifecycle\\)`));
    await waitFor('the revoked key to be refused', async () => ((await status(chat(rotated.key))) === 401 ? true : undefined), 3000);
    expect(JSON.parse(ok(await llmp('keys', 'show', created.id, '--json'))).status).toBe('revoked');
  });

  it('streams one chat completion through the data plane, and says what to do with a bad key', async () => {
    const key = ok(await llmp('keys', 'create', '--name', 'cli-chat', '--quiet')).trim();
    const r = await runCli(['chat', 'Say hello', '--model', 'fast'], { ...env, LLMP_KEY: key });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/\[.*\d+ prompt \+ \d+ completion tokens/);
    const bad = await llmp('chat', 'hi', '--key', 'llmp_not_a_real_key');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^llmp: the gateway at .* rejected the key .*pass --key or set LLMP_KEY/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints the same usage CSV as the admin API once the ledger has the requests', async () => {
    const key = JSON.parse(ok(await llmp('keys', 'create', '--name', 'cli-usage', '--json')));
    for (let i = 0; i < 3; i++) await chat(key.key);
    const to = new Date(Date.now() + 60_000).toISOString();
    const query = `from=${encodeURIComponent(started)}&to=${encodeURIComponent(to)}&groupBy=key,model&keyId=${key.id}`;
    const api = (format: string) => fetch(`${adminUrl}/admin/v1/usage?${query}&format=${format}`, { headers: { authorization: `Bearer ${MASTER}` } });
    await waitFor('3 ledger records', async () => {
      const report = (await (await api('json')).json()) as { totals: { requests: number } };
      return report.totals.requests >= 3 ? true : undefined;
    }, 30_000);

    const expected = await (await api('csv')).text();
    const csv = await llmp('usage', '--from', started, '--to', to, '--group-by', 'key,model', '--key', key.id, '--csv');
    expect(ok(csv)).toBe(expected);
    expect(expected.split('\n')[0]).toBe('keyId,keyName,model,requests,errors,promptTokens,completionTokens,totalTokens,costUsd');
    expect(expected).toContain(`${key.id},cli-usage,gpt-4o-mini,3,0,`);

    const json = JSON.parse(ok(await llmp('usage', '--from', started, '--to', to, '--group-by', 'key,model', '--key', key.id, '--json')));
    expect(json.totals.requests).toBe(3);
    expect(ok(await llmp('usage', '--from', started, '--to', to, '--group-by', 'model', '--key', key.id))).toMatch(/gpt-4o-mini\s*│\s*3\s*│\s*0/);
  });

  it('manages teams and aliases', async () => {
    const team = JSON.parse(ok(await llmp('teams', 'create', '--name', 'cli-team', '--rpm', '30', '--json')));
    expect(team).toMatchObject({ name: 'cli-team', rpm: 30 });
    const key = JSON.parse(ok(await llmp('keys', 'create', '--name', 'cli-team-key', '--team', team.id, '--json')));
    expect(key.teamId).toBe(team.id);
    expect(JSON.parse(ok(await llmp('keys', 'list', '--team', team.id, '--json'))).map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(ok(await llmp('teams', 'update', team.id, '--tpm', '5000'))).toContain(`Updated team ${team.id}`);
    expect(JSON.parse(ok(await llmp('teams', 'show', team.id, '--json')))).toMatchObject({ rpm: 30, tpm: 5000 });
    expect(ok(await llmp('teams', 'list'))).toContain('cli-team');
    const busy = await llmp('teams', 'delete', team.id);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/^llmp: .*\(HTTP 409\)\n$/);

    expect(ok(await llmp('aliases', 'set', 'cli-quick', 'gpt-4o-mini'))).toBe('cli-quick -> gpt-4o-mini\n');
    expect(JSON.parse(ok(await llmp('aliases', 'list', '--json')))).toEqual(
      expect.arrayContaining([{ alias: 'cli-quick', target: 'gpt-4o-mini', source: 'admin' }, expect.objectContaining({ alias: 'fast', source: 'config' })]),
    );
    expect(ok(await llmp('aliases', 'delete', 'cli-quick'))).toBe('Deleted alias cli-quick\n');
  });

  it('lists audit events and verifies the chain', async () => {
    const key = JSON.parse(ok(await llmp('keys', 'create', '--name', 'cli-audited', '--json')));
    const events = await waitFor('the key.create audit event', async () => {
      const list = JSON.parse(ok(await llmp('audit', '--since', '1h', '--target', `key:${key.id}`, '--json'))) as { action: string }[];
      return list.some((e) => e.action === 'key.create') ? list : undefined;
    });
    expect(events[0]).toMatchObject({ action: 'key.create', actorType: 'master' });
    expect(ok(await llmp('audit', '--since', '1h', '--action', 'key.create', '--limit', '2'))).toMatch(/key\.create/);
    expect(ok(await llmp('audit', '--verify'))).toMatch(/^Audit chain intact: \d+ events verified\.\n$/);
  });

  it('exits 1 with one line that says what to do on a wrong token or an unknown id', async () => {
    const wrong = await runCli(['keys', 'list'], { ...env, LLMP_ADMIN_TOKEN: 'llmp_admin_wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('llmp: the control plane rejected the admin token: set LLMP_ADMIN_TOKEN or --token to the master key or a current login token\n');
    const viaFlag = await runCli(['keys', 'list', '--json', '--token', MASTER], { ...env, LLMP_ADMIN_TOKEN: 'llmp_admin_wrong' });
    expect(viaFlag.code).toBe(0);
    const missing = await llmp('keys', 'show', 'key_does_not_exist');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^llmp: not found: .+\n$/);
  });
});
