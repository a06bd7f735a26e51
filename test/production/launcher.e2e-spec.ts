import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatCompletion, FakeUpstream } from '../support/fake-upstream';
import { freePort, waitFor, writeConfig } from './production.fixture';

const root = join(__dirname, '..', '..');

/**
 * `npm start`'s launcher (scripts/start.mjs) in a terminal. Ctrl-C sends SIGINT to the whole foreground process
 * group: a request in flight must still get its answer and every process must exit cleanly; the launcher's own
 * SIGTERM must not reach a child as a second signal (which means "exit now"). SIGHUP to the launcher reloads the
 * config of the processes behind it.
 */
describe('launcher: SIGHUP and Ctrl-C in a terminal', () => {
  const upstream = new FakeUpstream();
  let launcher: ChildProcess | null = null;

  afterAll(async () => {
    if (launcher?.pid && launcher.exitCode === null) process.kill(-launcher.pid, 'SIGKILL');
    await upstream.close();
  });

  it('reloads on SIGHUP, then drains the request in flight on Ctrl-C and exits 0', async () => {
    const base = await upstream.start();
    upstream.behavior = (req) => ({ json: chatCompletion(req, 'finished after Ctrl-C'), delayMs: req.body.model === 'slow-model' ? 1500 : 0 });
    const yaml = (extra: string): string => `
providers:
  - { name: up, type: openai, baseUrl: "${base}" }
models:
  - { name: slow, targets: [{ provider: up, model: slow-model }], pricing: { input: 1, output: 2 } }
${extra}
auth: { mode: disabled }
`;
    const config = writeConfig(yaml(''));
    const port = await freePort();
    let output = '';
    // Its own process group, like a job in a terminal: signalling -pid is what Ctrl-C does.
    launcher = spawn(process.execPath, [join(root, 'scripts/start.mjs'), '--only', 'api'], {
      cwd: root,
      env: { ...process.env, LLMP_CONFIG: config, LLMP_API_PORT: String(port), LLMP_HOST: '127.0.0.1', LLMP_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const closed = new Promise<number | null>((resolve) => launcher!.once('close', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the data plane behind the launcher', async () => (await fetch(`${url}/health/ready`)).status === 200, 60_000);

    const chat = (model: string): Promise<Response> =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      });
    expect((await chat('added')).status).toBe(404);
    writeFileSync(config, yaml('  - { name: added, targets: [{ provider: up, model: added-model }] }'));
    process.kill(launcher.pid!, 'SIGHUP');
    await waitFor('the reloaded config', async () => (await chat('added')).status === 200, 10_000);

    const answer = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await waitFor('the request to reach the upstream', () => upstream.requests.some((r) => r.body.model === 'slow-model'), 10_000);
    process.kill(-launcher.pid!, 'SIGINT');

    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('finished after Ctrl-C');
    expect(await closed).toBe(0);
    expect(output).toContain('draining 1 in-flight');
    expect(output).not.toContain('exiting now');
  }, 120_000);
});
