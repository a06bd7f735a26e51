import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { call, master, startAdminApp, type Reply } from '../../apps/admin/test/admin-app.fixture';
import { ConfigReloadService } from '../../apps/admin/src/config/config-reload.service';
import { spawnApi, startWorkers, waitFor, writeConfig, type ApiProcess } from './production.fixture';

const config = (extra: string) => `
providers:
  - { name: mock, type: mock }
models:
  - { name: stays, targets: [{ provider: mock, model: mock-small }], pricing: { input: 1, output: 2 } }
${extra}
`;

/** The second version of the file: a provider and a model added, a price changed. */
const secondVersion = `
providers:
  - { name: mock, type: mock }
  - { name: second, type: mock, apiKey: "sk-reload-canary-0123456789abcdef" }
models:
  - { name: stays, targets: [{ provider: mock, model: mock-small }], pricing: { input: 3, output: 4 } }
  - { name: added-model, targets: [{ provider: second, model: mock-small }] }
`;

/**
 * Every config reload leaves an audit event (who, when, what changed): the admin API call, SIGHUP to the control
 * plane, and SIGHUP to a built data plane process. The summary names what changed and never carries a credential.
 */
describe('config reload audit events', () => {
  let admin: NestFastifyApplication;
  let workers: INestApplicationContext;
  let api: ApiProcess | null = null;

  beforeAll(async () => {
    workers = await startWorkers();
  }, 60_000);

  afterAll(async () => {
    if (api?.child.exitCode === null) api.child.kill('SIGKILL');
    await admin?.close();
    await workers?.close();
    delete process.env.LLMP_CONFIG;
  });

  const auditFor = async (target: string): Promise<Reply['body'][]> => {
    let events: Reply['body'][] = [];
    await waitFor(`audit events for ${target}`, async () => {
      const res = await call(admin, 'GET', `/admin/v1/audit?action=config.reload&target=${encodeURIComponent(target)}`, { headers: master });
      events = res.body.data;
      return events.length > 0;
    });
    return events;
  };

  it('the admin API and SIGHUP to the control plane each write one, with the change summary', async () => {
    const path = writeConfig(config(''));
    process.env.LLMP_CONFIG = path;
    admin = await startAdminApp();
    writeFileSync(path, secondVersion);

    const res = await call(admin, 'POST', '/admin/v1/config/reload', { headers: master });
    expect(res.status).toBe(200);
    expect(res.body.changes).toEqual({
      providers: { added: ['second'], removed: [], changed: [] },
      models: { added: ['added-model'], removed: [], changed: [] },
      aliases: { added: [], removed: [], changed: [] },
      prices: [{ model: 'stays', before: { input: 1, output: 2 }, after: { input: 3, output: 4 } }],
    });
    const [event] = await auditFor(`config:${path}`);
    expect(event).toMatchObject({
      actorType: 'master',
      action: 'config.reload',
      after: { status: 'applied', source: path, problems: 0, changes: res.body.changes },
    });
    expect(JSON.stringify(event)).not.toContain('sk-reload-canary');

    // SIGHUP to the control plane (what its main.ts runs on the signal), here back to the first version.
    writeFileSync(path, config(''));
    await admin.get(ConfigReloadService).reloadFromSignal('SIGHUP');
    const [signal] = await auditFor(`config:admin@${hostname()}:${process.pid}`);
    expect(signal).toMatchObject({
      actorType: 'system',
      actorId: 'SIGHUP',
      after: { status: 'applied', changes: { providers: { removed: ['second'] }, models: { removed: ['added-model'] } } },
    });

    // A broken file is audited too (rejected, with its problem count), and the API answers 400.
    writeFileSync(path, 'models: [');
    expect((await call(admin, 'POST', '/admin/v1/config/reload', { headers: master })).status).toBe(400);
    await waitFor('the rejected reload event', async () => (await auditFor(`config:${path}`)).some((e) => e.after.status === 'rejected'));
  });

  it('SIGHUP to a built data plane process writes one through its event queue', async () => {
    const path = writeConfig(config(''));
    api = await spawnApi({ LLMP_CONFIG: path });
    writeFileSync(path, secondVersion);
    api.child.kill('SIGHUP');
    const [event] = await auditFor(`config:api@${hostname()}:${api.child.pid}`);
    expect(event).toMatchObject({
      actorType: 'system',
      actorId: 'SIGHUP',
      after: { status: 'applied', changes: { providers: { added: ['second'] }, models: { added: ['added-model'] } } },
    });
    expect(JSON.stringify(event)).not.toContain('sk-reload-canary');
  });
});
