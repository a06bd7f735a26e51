import { ConfigError, parseGatewayConfig } from './gateway-config.loader';
import { DEMO_CONFIG_YAML } from './demo-config';

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): { line: number; message: string }[] {
  try {
    parseGatewayConfig(yaml, 'test.yaml', env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseGatewayConfig', () => {
  it('accepts the built-in demo config', () => {
    const config = parseGatewayConfig(DEMO_CONFIG_YAML, 'demo', {});
    expect(config.providers.map((p) => p.type)).toEqual(['mock']);
    expect(config.models.map((m) => m.name)).toContain('gpt-4o-mini');
    expect(config.aliases.fast).toBe('gpt-4o-mini');
    expect(config.auth.mode).toBe('required');
  });

  it('substitutes ${ENV} references and defaults priorities and weights', () => {
    const config = parseGatewayConfig(
      `providers:\n  - { name: p, type: openai, baseUrl: "http://h:1/v1/", apiKey: "\${KEY}" }\nmodels:\n  - name: m\n    targets: [{ provider: p, model: x }, { provider: p, model: y, weight: 3 }]\n`,
      't',
      { KEY: 'secret' },
    );
    expect(config.providers[0]).toEqual(expect.objectContaining({ apiKey: 'secret', baseUrl: 'http://h:1/v1', timeoutMs: 600000 }));
    expect(config.models[0].targets).toEqual([
      { provider: 'p', model: 'x', priority: 0, weight: 1 },
      { provider: 'p', model: 'y', priority: 1, weight: 3 },
    ]);
  });

  it('reads auth.maxFailuresPerMinute (default 30, 0 turns the limit off) and refuses a negative or fractional one', () => {
    const base = 'providers: [{ name: p, type: mock }]\nmodels: [{ name: m, targets: [{ provider: p, model: x }] }]\n';
    expect(parseGatewayConfig(base, 't', {}).auth).toEqual({ mode: 'required', maxFailuresPerMinute: 30 });
    expect(parseGatewayConfig(`${base}auth: { mode: required, maxFailuresPerMinute: 0 }\n`, 't', {}).auth.maxFailuresPerMinute).toBe(0);
    expect(parseGatewayConfig(`${base}auth: disabled\n`, 't', {}).auth).toEqual({ mode: 'disabled', maxFailuresPerMinute: 30 });
    for (const bad of ['-1', '2.5', 'lots']) {
      expect(problemsOf(`${base}auth: { maxFailuresPerMinute: ${bad} }\n`)).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/must be (at least 0|an integer)/) })]);
    }
  });

  it('reads server.trustedProxies (IPv4/IPv6 addresses and CIDRs, none by default) and names a bad entry by its line', () => {
    expect(parseGatewayConfig(DEMO_CONFIG_YAML, 'demo', {}).server.trustedProxies).toEqual([]);
    const base = 'providers:\n  - { name: a, type: mock }\nmodels:\n  - { name: m, targets: [{ provider: a, model: x }] }\n';
    const ok = parseGatewayConfig(`${base}server:\n  trustedProxies: ["10.0.0.0/8", "::1", "fd00::/8", 192.168.1.1]\n`, 't', {});
    expect(ok.server.trustedProxies).toEqual(['10.0.0.0/8', '::1', 'fd00::/8', '192.168.1.1']);
    const problems = problemsOf(`${base}server:\n  trustedProxies:\n    - 10.0.0.0/8\n    - localhost\n    - 10.0.0.0/33\n`);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [8, expect.stringContaining('IPv4 or IPv6 address or CIDR')],
      [9, expect.stringContaining('IPv4 or IPv6 address or CIDR')],
    ]);
    expect(problemsOf(`${base}server: { trustedProxies: 10.0.0.0/8 }\n`)[0].message).toBe('must be a list');
  });

  it('reads a model\'s maxOutputTokens and limits.minOutputTokens (default 256), positive integers only', () => {
    const yaml = (extra: string, limits = '') =>
      `providers:\n  - { name: p, type: mock }\nmodels:\n  - name: m\n    targets: [{ provider: p, model: x }]\n${extra}${limits}`;
    const plain = parseGatewayConfig(yaml(''), 't', {});
    expect(plain.models[0].maxOutputTokens).toBeUndefined();
    expect(plain.limits.minOutputTokens).toBe(256);
    const set = parseGatewayConfig(yaml('    maxOutputTokens: 8192\n', 'limits: { minOutputTokens: 64 }\n'), 't', {});
    expect(set.models[0].maxOutputTokens).toBe(8192);
    expect(set.limits.minOutputTokens).toBe(64);
    expect(problemsOf(yaml('    maxOutputTokens: 0\n')).map((p) => p.message).join()).toMatch(/maxOutputTokens|at least/);
    expect(problemsOf(yaml('', 'limits: { minOutputTokens: 1.5 }\n')).length).toBe(1);
  });

  it('reads the Redis timeout and the parallel lease, with defaults and bounds', () => {
    const base = 'providers: [{ name: p, type: mock }]\nmodels: [{ name: m, targets: [{ provider: p, model: x }] }]\n';
    expect(parseGatewayConfig(base, 't', {}).limits).toEqual({ onRedisDown: 'local', minOutputTokens: 256, redisTimeoutMs: 250, parallelLeaseMs: 30_000 });
    expect(parseGatewayConfig(`${base}limits: { redisTimeoutMs: 100, parallelLeaseMs: 5000 }\n`, 't', {}).limits).toMatchObject({
      redisTimeoutMs: 100, parallelLeaseMs: 5000,
    });
    expect(problemsOf(`${base}limits: { redisTimeoutMs: 9000, parallelLeaseMs: 10 }\n`)).toEqual([
      expect.objectContaining({ path: 'limits.redisTimeoutMs', message: 'must be at most 5000' }),
      expect.objectContaining({ path: 'limits.parallelLeaseMs', message: 'must be at least 1000' }),
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const problems = problemsOf('providers:\n  - name: a\n    type: [mock\n');
    expect(problems[0].line).toBeGreaterThan(0);
  });

  it('reports every problem with the line it is on', () => {
    const yaml = [
      'providers:', //                                   1
      '  - { name: a, type: mock }', //                  2
      '  - { name: a, type: mock }', //                  3 duplicate
      '  - { name: b, type: telepathy }', //             4 unknown type
      '  - { name: c, type: openai, baseUrl: "${NOPE}" }', // 5 missing env
      'models:', //                                      6
      '  - name: m', //                                  7
      '    targets:', //                                 8
      '      - { provider: ghost, model: x }', //        9 unknown provider
    ].join('\n');
    const problems = problemsOf(yaml);
    const byLine = (n: number) => problems.filter((p) => p.line === n).map((p) => p.message).join(' | ');
    expect(byLine(3)).toContain('duplicate provider name');
    expect(byLine(4)).toContain('unknown provider type');
    expect(byLine(5)).toContain('${NOPE}');
    expect(byLine(9)).toContain('unknown provider "ghost"');
  });

  it('rejects duplicate model names and aliases shadowing models', () => {
    const problems = problemsOf(
      'providers: [{ name: p, type: mock }]\nmodels:\n  - { name: m, targets: [{ provider: p, model: x }] }\n  - { name: m, targets: [{ provider: p, model: y }] }\naliases:\n  m: m\n',
    );
    expect(problems.map((p) => p.message).join('\n')).toMatch(/duplicate model name[\s\S]*shadows a model/);
  });

  it('reads providers[].pricing and refuses a partial one', () => {
    const config = parseGatewayConfig(
      'providers:\n  - { name: p, type: mock, pricing: { input: 1.5, output: 2 } }\n  - { name: q, type: mock }\nmodels:\n  - { name: m, targets: [{ provider: p, model: x }] }\n',
      't',
      {},
    );
    expect(config.providers.map((p) => p.pricing)).toEqual([{ input: 1.5, output: 2 }, undefined]);
    const problems = problemsOf('providers:\n  - { name: p, type: mock, pricing: { input: 1 } }\nmodels:\n  - { name: m, targets: [{ provider: p, model: x }] }\n');
    expect(problems.map((p) => p.message).join('\n')).toContain('needs input and output prices');
  });

  it('accepts aliases that lead to a configured model or target, and refuses any other target', () => {
    const base = 'providers: [{ name: p, type: mock }]\nmodels:\n  - { name: m, targets: [{ provider: p, model: x }] }\n';
    const ok = parseGatewayConfig(`${base}aliases:\n  a: m\n  b: a\n  c: "p://x"\n`, 't', {});
    expect(ok.aliases).toEqual({ a: 'm', b: 'a', c: 'p://x' });
    const problems = problemsOf(`${base}aliases:\n  u: nope\n  f: "p://arbitrary"\n  l: l2\n  l2: l\n`);
    const text = problems.map((p) => p.message).join('\n');
    for (const alias of ['u', 'f', 'l', 'l2']) expect(text).toContain(`alias "${alias}"`);
    expect(problems.every((p) => p.message.includes('does not lead to a configured model'))).toBe(true);
  });
});
