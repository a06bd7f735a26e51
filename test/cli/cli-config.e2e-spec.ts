import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, runCli, unusedPort } from './cli-runner';

/** `llmp config check`, exit codes and help: the real binary, no servers needed. */
describe('llmp config check, exit codes and --help', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmp-cli-config-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  // No VLLM key etc. in the child unless a test sets one.
  const env = { LLMP_CONFIG: '', LLMP_TEST_MISSING_KEY: undefined };

  beforeAll(async () => {
    await ensureCliBuilt();
  }, 120_000);

  const GOOD = `providers:
  - name: mock
    type: mock
  - name: vllm
    type: openai
    baseUrl: http://127.0.0.1:9001/v1
    apiKey: \${LLMP_TEST_VLLM_KEY}
models:
  - name: chat-model
    targets:
      - { provider: vllm, model: Qwen/Qwen2.5-7B-Instruct }
      - { provider: mock, model: mock-small, weight: 2 }
    pricing: { input: 0.15, output: 0.6 }
aliases:
  quick: chat-model
`;

  it('prints the resolved routes of a valid file in failover order, and never a provider credential', async () => {
    const r = await runCli(['config', 'check', '--config', file('good.yaml', GOOD)], { ...env, LLMP_TEST_VLLM_KEY: 'sk-very-secret' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 providers, 1 model, 1 alias');
    expect(r.stdout).toMatch(/chat-model[\s\S]*1\. vllm -> Qwen\/Qwen2\.5-7B-Instruct[\s\S]*2\. mock -> mock-small \(weight 2\)/);
    expect(r.stdout).toMatch(/quick\s*│\s*chat-model/);
    const json = await runCli(['config', 'check', '-c', join(dir, 'good.yaml'), '--json'], { ...env, LLMP_TEST_VLLM_KEY: 'sk-very-secret' });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ ok: true, aliases: { quick: 'chat-model' } });
    expect(parsed.models[0].targets.map((t: { provider: string }) => t.provider)).toEqual(['vllm', 'mock']);
    expect(r.stdout + json.stdout).not.toContain('sk-very-secret');
  });

  it.each([
    ['bad YAML', 'providers:\n  - name: mock\n    type: mock\nmodels:\n  - name: x\n    targets: [{ provider: mock, model: m }\n', /bad\.yaml:\d+: /],
    [
      'an unknown provider reference',
      'providers:\n  - { name: mock, type: mock }\nmodels:\n  - name: x\n    targets:\n      - { provider: mock, model: a }\n      - { provider: nowhere, model: b }\n',
      /unknown-provider\.yaml:7: models\.0\.targets\.1\.provider: unknown provider "nowhere"/,
    ],
    [
      'duplicate names',
      'providers:\n  - { name: mock, type: mock }\nmodels:\n  - name: x\n    targets: [{ provider: mock, model: a }]\n  - name: x\n    targets: [{ provider: mock, model: b }]\n',
      /duplicate-names\.yaml:6: models\.1\.name: duplicate model name "x"/,
    ],
    [
      'a missing env reference',
      'providers:\n  - name: up\n    type: openai\n    baseUrl: http://127.0.0.1:1/v1\n    apiKey: ${LLMP_TEST_MISSING_KEY}\nmodels:\n  - name: x\n    targets: [{ provider: up, model: a }]\n',
      /missing-env\.yaml:5: providers\.0\.apiKey: references \$\{LLMP_TEST_MISSING_KEY\}, which is not set/,
    ],
  ])('catches %s with its line number and exits 1', async (what, yaml, expected) => {
    const name = { 'bad YAML': 'bad', 'an unknown provider reference': 'unknown-provider', 'duplicate names': 'duplicate-names' }[what] ?? 'missing-env';
    const r = await runCli(['config', 'check', '--config', file(`${name}.yaml`, yaml)], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(expected);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^llmp: .*problem.*llmp config check/);
    const json = await runCli(['config', 'check', '--config', join(dir, `${name}.yaml`), '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [expect.objectContaining({ line: expect.any(Number) })] });
  });

  it('reports an unreadable file as a problem (exit 1), not a crash', async () => {
    const r = await runCli(['config', 'check', '--config', join(dir, 'absent.yaml')], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cannot read file');
  });

  it.each([
    [['keys', 'list', '--bogus'], /unknown option '--bogus'/],
    [['keys', 'create'], /required option '--name <name>' not specified/],
    [['keys', 'create', '--name', 'x', '--rpm', 'many'], /--rpm <n>.*expected a whole number/],
    [['keys', 'create', '--name', 'x', '--budget', '5'], /--budget needs --period/],
    [['keys', 'create', '--name', 'x', '--expires', 'soon'], /expected a duration from now/],
    [['usage', '--group-by', 'day,planet'], /subset of day, key, team, model/],
    [['audit', '--since', 'yesterday'], /duration ago/],
    [['serve', '--only', 'db'], /Allowed choices are api, admin, worker/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['keys'], /Usage: llmp keys/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const r = await runCli(args, { LLMP_ADMIN_URL: 'http://127.0.0.1:1', LLMP_ADMIN_TOKEN: 'unused' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('exits 1 with one actionable line when the control plane or gateway is not running', async () => {
    const down = `http://127.0.0.1:${await unusedPort()}`;
    const admin = await runCli(['keys', 'list'], { LLMP_ADMIN_URL: down, LLMP_ADMIN_TOKEN: 't' });
    expect(admin.code).toBe(1);
    expect(admin.stderr).toBe(`llmp: cannot reach the control plane at ${down}: is \`llmp serve\` running? (or set LLMP_ADMIN_URL / --admin-url)\n`);
    const gateway = await runCli(['chat', 'hi', '--api-url', `${down}/`]);
    expect(gateway.code).toBe(1);
    expect(gateway.stderr).toBe(`llmp: cannot reach the gateway at ${down}: is \`llmp serve\` running? (or set LLMP_API_URL / --api-url)\n`);
  });

  it('asks for a token (exit 2) when none is configured for a remote control plane', async () => {
    const r = await runCli(['keys', 'list'], { LLMP_ADMIN_URL: 'http://10.255.255.1:8001', LLMP_ADMIN_TOKEN: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^llmp: no admin token: set LLMP_ADMIN_TOKEN or pass --token/);
  });

  const COMMANDS = [
    [], ['serve'], ['config'], ['config', 'check'], ['keys'], ['keys', 'create'], ['keys', 'list'], ['keys', 'show'], ['keys', 'revoke'],
    ['keys', 'rotate'], ['teams'], ['teams', 'create'], ['teams', 'list'], ['teams', 'show'], ['teams', 'update'], ['teams', 'delete'],
    ['aliases'], ['aliases', 'list'], ['aliases', 'set'], ['aliases', 'delete'], ['usage'], ['audit'], ['chat'],
  ];

  it('has --help with usage on every command, and examples on every runnable one', async () => {
    for (const path of COMMANDS) {
      const r = await runCli([...path, '--help']);
      expect({ path, code: r.code }).toEqual({ path, code: 0 });
      expect(r.stdout).toContain(`Usage: llmp${path.length ? ` ${path.join(' ')}` : ''}`);
      const isGroup = ['config', 'keys', 'teams', 'aliases'].includes(path[0]) && path.length === 1;
      if (!isGroup) expect({ path, examples: r.stdout.includes('Examples:\n  $ llmp') }).toEqual({ path, examples: true });
    }
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
