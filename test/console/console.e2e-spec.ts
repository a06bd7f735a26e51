import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InfraModule } from '@llmp/infra';
import { createAdminApp } from '../../apps/admin/src/bootstrap';
import { WorkersModule } from '../../apps/admin/src/workers/workers.module';
import { startDataPlane } from '../support/gateway-harness';

const ROOT = join(__dirname, '../..');
const SHOTS = join(ROOT, 'test/artifacts');
const MASTER = 'llmp_admin_console_e2e_master_key_0123456789';

@Module({ imports: [InfraModule, WorkersModule.forRoot({ batchWaitMs: 20, relayIntervalMs: 100 })] })
class ConsoleWorkersModule {}

/** Browser e2e of the console against the real control plane and data plane on the run's Postgres and Redis. */
describe('admin console (Chromium)', () => {
  let api: NestFastifyApplication;
  let admin: NestFastifyApplication;
  let base: string;
  let dataPlaneUrl: string;
  let workers: INestApplicationContext;
  let browser: Browser;
  let page: Page;

  const rest = async (path: string, init: RequestInit = {}, token = MASTER) => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    return res;
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const go = async (label: string) => {
    await page.getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { name: label }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    if (!existsSync(join(ROOT, 'apps/admin/src/ui/dist/index.html'))) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/admin/src/ui/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
    }
    // A little ledger history so the usage screens have rows to chart and export.
    execFileSync(process.execPath, [join(ROOT, 'scripts/seed-usage.mjs'), '--records', '3000', '--days', '10', '--keys', '4', '--models', '3'], { cwd: ROOT, env: process.env, stdio: 'pipe' });
    process.env.LLMP_MASTER_KEY = MASTER;
    // The built-in demo config (gpt-4o, gpt-4o-mini on the mock provider), whatever an earlier file pointed at.
    delete process.env.LLMP_CONFIG;
    const dp = await startDataPlane();
    dataPlaneUrl = dp.url;
    api = dp.app;
    // The playground pass-through finds the data plane on LLMP_API_PORT.
    process.env.LLMP_API_PORT = new URL(dp.url).port;
    admin = await createAdminApp({ logger: false });
    // The ledger and audit writers, so what the test does shows up in the Usage and Audit screens.
    workers = await NestFactory.createApplicationContext(ConsoleWorkersModule, { logger: ['error'] });
    await admin.listen({ port: 0, host: '127.0.0.1' });
    base = `${await admin.getUrl()}`.replace('[::1]', '127.0.0.1');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await admin?.close();
    await api?.close();
  });

  it('serves the SPA at / and deep links, while unknown API paths stay JSON 404s', async () => {
    expect((await fetch(`${base}/keys`)).headers.get('content-type')).toContain('text/html');
    const miss = await fetch(`${base}/admin/v1/nope`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(miss.status).toBe(404);
    expect(await miss.json()).toHaveProperty('error.code');
    expect((await fetch(`${base}/docs-json`)).status).toBe(200);
  });

  it('signs in with the master key and shows the overview', async () => {
    await page.goto(base);
    await page.getByRole('tab', { name: 'Master key' }).click();
    await page.getByTestId('master-key').fill(MASTER);
    await page.getByTestId('master-sign-in').click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('stat-month').waitFor();
    await shot('overview');
  });

  let secret = '';
  it('creates a key and shows its secret once', async () => {
    await go('Keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText('A name is required').waitFor();
    await page.getByLabel('Name').fill('console-e2e');
    await page.getByLabel('Allowed models').fill('gpt-4o*');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    secret = (await page.getByTestId('secret').innerText()).trim();
    expect(secret).toMatch(/^llmp_/);
    await page.getByText('This is the only time the secret is shown', { exact: false }).waitFor();
    await shot('key-created');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('cell', { name: 'console-e2e' }).waitFor();
    expect(await page.getByTestId('secret').count()).toBe(0);
    await shot('keys');
  });

  it('chats as that key in the playground, streaming, with request id, usage and cost', async () => {
    await go('Playground');
    await page.getByTestId('pg-secret').fill(secret);
    await page.getByTestId('pg-model').click();
    await page.getByRole('option', { name: 'gpt-4o-mini', exact: true }).click();
    await page.getByTestId('pg-send').click();
    const outcome = page.getByTestId('pg-outcome');
    await outcome.waitFor({ timeout: 20_000 });
    expect(await outcome.innerText()).toMatch(/request id \S+/);
    expect(await page.getByTestId('pg-answer').innerText()).not.toBe('');
    await shot('playground');
  });

  it('serves the shown secret to the openai SDK, then denies a model once the console narrows allowedModels', async () => {
    const client = new OpenAI({ baseURL: `${dataPlaneUrl}/v1`, apiKey: secret, maxRetries: 0 });
    const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    expect((await ask('gpt-4o')).model).toBe('gpt-4o');

    await go('Keys');
    await page.getByRole('cell', { name: 'console-e2e' }).click();
    await page.getByLabel('Allowed models').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved; every data plane replica applies it within a second.').waitFor();
    await shot('key-policy-saved');

    let denied: unknown = null;
    for (let i = 0; i < 30 && !denied; i++) {
      denied = await ask('gpt-4o').then(() => null, (e: unknown) => e);
      if (!denied) await new Promise((r) => setTimeout(r, 100));
    }
    expect(denied).toMatchObject({ status: 400, code: 'model_not_allowed' });
    expect((await ask('gpt-4o-mini')).model).toBe('gpt-4o-mini');
    await page.keyboard.press('Escape');
  });

  it('revokes the key after a confirmation', async () => {
    await go('Keys');
    await page.getByRole('cell', { name: 'console-e2e' }).click();
    await page.getByRole('tab', { name: 'Rotate / revoke' }).click();
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    let list = (await (await rest('/admin/v1/keys?q=console-e2e')).json()) as { data: { status: string }[] };
    for (let i = 0; i < 50 && list.data[0]?.status !== 'revoked'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = (await (await rest("/admin/v1/keys?q=console-e2e")).json()) as typeof list;
    }
    expect(list.data[0]?.status).toBe('revoked');
    await page.keyboard.press('Escape');
  });

  it('renders usage and exports exactly the API CSV for the shown query', async () => {
    await go('Usage');
    await page.getByTestId('usage-table').waitFor();
    await shot('usage');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const exported = readFileSync((await download.path())!, 'utf8');
    const fromDay = await page.getByLabel('From (UTC)').inputValue();
    const toDay = await page.getByLabel('To (UTC, inclusive)').inputValue();
    const to = new Date(`${toDay}T00:00:00.000Z`);
    to.setUTCDate(to.getUTCDate() + 1);
    const qs = new URLSearchParams({ from: new Date(`${fromDay}T00:00:00.000Z`).toISOString(), to: to.toISOString(), groupBy: 'day,model', format: 'csv' });
    const fromApi = await (await rest(`/admin/v1/usage?${qs}`)).text();
    expect(exported.split('\n').length).toBeGreaterThan(2);
    expect(exported).toBe(fromApi);
  });

  it('shows the other screens', async () => {
    for (const [label, name] of [['Teams', 'teams'], ['Aliases', 'aliases'], ['Models', 'models'], ['Policy explain', 'explain'], ['Audit', 'audit']] as const) {
      await go(label);
      await page.waitForLoadState('networkidle');
      await shot(name);
    }
    // The key created, narrowed and revoked above reached the audit log, newest first.
    await page.getByTestId('audit-timeline').getByText('key.revoke').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByTestId('chain-status').getByText(/chain (intact|broken)/).waitFor();
    await shot('audit');
  });

  it.each([
    ['finance', { createKey: false, usage: true }],
    ['operator', { createKey: true, usage: false }],
  ] as const)('shows a %s exactly the actions the role may take', async (role, expected) => {
    const email = `${role}@example.com`;
    const created = await rest('/admin/v1/users', { method: 'POST', body: JSON.stringify({ email, password: 'correct horse battery', role }) });
    expect(created.status).toBe(201);
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(`${base}/keys`);
    await p.getByLabel('Email').fill(email);
    await p.getByRole('textbox', { name: 'Password' }).fill('correct horse battery');
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByTestId('role').getByText(role).waitFor();
    await p.getByRole('link', { name: 'Keys', exact: true }).click();
    await p.getByTestId('keys-table').waitFor();
    expect(await p.getByRole('button', { name: 'Create key' }).count()).toBe(expected.createKey ? 1 : 0);
    expect(await p.getByRole('link', { name: 'Usage', exact: true }).count()).toBe(expected.usage ? 1 : 0);
    await p.screenshot({ path: join(SHOTS, `${role}-keys.png`), fullPage: true });
    await ctx.close();
  });

  it('gives a viewer no write buttons', async () => {
    const created = await rest('/admin/v1/users', { method: 'POST', body: JSON.stringify({ email: 'viewer@example.com', password: 'correct horse battery', role: 'viewer' }) });
    expect(created.status).toBe(201);
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const viewer = await ctx.newPage();
    await viewer.goto(`${base}/keys`);
    await viewer.getByLabel('Email').fill('viewer@example.com');
    await viewer.getByRole('textbox', { name: 'Password' }).fill('correct horse battery');
    await viewer.getByRole('button', { name: 'Sign in', exact: true }).click();
    await viewer.getByTestId('role').getByText('viewer').waitFor();
    await viewer.getByRole('link', { name: 'Keys', exact: true }).click();
    await viewer.getByTestId('keys-table').waitFor();
    expect(await viewer.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    await viewer.getByRole('link', { name: 'Teams', exact: true }).click();
    await viewer.getByRole('heading', { name: 'Teams' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Create team' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Usage', exact: true }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Playground', exact: true }).count()).toBe(0);
    await viewer.screenshot({ path: join(SHOTS, 'viewer-teams.png'), fullPage: true });
    await ctx.close();
  });
});
