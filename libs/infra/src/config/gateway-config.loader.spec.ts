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

  it('reads the Redis timeout and the parallel lease, with defaults and bounds', () => {
    const base = 'providers: [{ name: p, type: mock }]\nmodels: [{ name: m, targets: [{ provider: p, model: x }] }]\n';
    expect(parseGatewayConfig(base, 't', {}).limits).toEqual({ onRedisDown: 'local', redisTimeoutMs: 250, parallelLeaseMs: 30_000 });
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
});
