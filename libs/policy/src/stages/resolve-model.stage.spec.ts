import { ErrorCode, LlmpError, type GatewayConfig } from '@llmp/common';
import type { GlobalAliasCache } from '../keys/global-alias.cache';
import { codeOf } from '../testing/error-code';
import { keyPrincipal } from '../testing/principal.fixture';
import { ResolveModelStage } from './resolve-model.stage';

const config = {
  providers: [{ name: 'mock' }, { name: 'openrouter' }],
  models: [
    { name: 'gpt-4o', targets: [{ provider: 'openrouter', model: 'openai/gpt-4o' }] },
    { name: 'gpt-4o-mini', targets: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini' }] },
    { name: 'claude', targets: [] },
    { name: 'also-gpt-4o', targets: [{ provider: 'openrouter', model: 'openai/gpt-4o' }] },
  ],
  aliases: {},
} as unknown as GatewayConfig;

function stage(global: Record<string, string> = {}): ResolveModelStage {
  return new ResolveModelStage(config, { all: global } as unknown as GlobalAliasCache);
}

describe('ResolveModelStage', () => {
  it('passes canonical names through', () => {
    expect(stage().run({ kind: 'anonymous' }, 'gpt-4o')).toEqual({ requested: 'gpt-4o', resolved: 'gpt-4o', aliasChain: ['gpt-4o'] });
  });

  it('prefers key aliases over team over global', () => {
    const p = keyPrincipal({ modelAliases: { fast: 'gpt-4o-mini' } }, { modelAliases: { fast: 'gpt-4o', team: 'claude' } });
    const s = stage({ fast: 'claude', team: 'gpt-4o', glob: 'gpt-4o' });
    expect(s.run(p, 'fast').resolved).toBe('gpt-4o-mini');
    expect(s.run(p, 'team').resolved).toBe('claude');
    expect(s.run(p, 'glob').resolved).toBe('gpt-4o');
  });

  it('follows chains across levels and records them', () => {
    const p = keyPrincipal({ modelAliases: { a: 'b' } }, { modelAliases: { b: 'c' } });
    const r = stage({ c: 'gpt-4o' }).run(p, 'a');
    expect(r.aliasChain).toEqual(['a', 'b', 'c', 'gpt-4o']);
    expect(r.resolved).toBe('gpt-4o');
  });

  it('rejects cycles and over-long chains as model_not_found', () => {
    expect(codeOf(() => stage({ a: 'b', b: 'a' }).run({ kind: 'anonymous' }, 'a'))).toBe(ErrorCode.ModelNotFound);
    const long: Record<string, string> = {};
    for (let i = 0; i < 12; i++) long[`n${i}`] = `n${i + 1}`;
    long.n12 = 'gpt-4o';
    expect(codeOf(() => stage(long).run({ kind: 'anonymous' }, 'n0'))).toBe(ErrorCode.ModelNotFound);
  });

  it('resolves a forced configured target to its configured model (the first in config order), routed to that target', () => {
    expect(stage().run({ kind: 'anonymous' }, 'openrouter://openai/gpt-4o')).toEqual({
      requested: 'openrouter://openai/gpt-4o',
      resolved: 'gpt-4o',
      aliasChain: ['openrouter://openai/gpt-4o'],
      forced: { provider: 'openrouter', model: 'openai/gpt-4o' },
    });
    expect(stage({ x: 'openrouter://openai/gpt-4o-mini' }).run({ kind: 'anonymous' }, 'x')).toMatchObject({
      resolved: 'gpt-4o-mini',
      forced: { provider: 'openrouter', model: 'openai/gpt-4o-mini' },
    });
  });

  it('keeps provider://model as the policy model of a forced target no configured model has, never the bare name', () => {
    // `mock` serves no configured model; `openrouter` serves gpt-4o, but not under this upstream name.
    for (const name of ['mock://gpt-4o', 'openrouter://gpt-4o-mini', 'openrouter://openai/gpt-4o-but-larger']) {
      const r = stage().run({ kind: 'anonymous' }, name);
      expect(r.resolved).toBe(name);
      expect(r.forced).toEqual({ provider: name.split('://')[0], model: name.split('://')[1] });
    }
    expect(codeOf(() => stage().run({ kind: 'anonymous' }, 'nope://m'))).toBe(ErrorCode.ModelNotFound);
  });

  it('reports unknown models with param model and a message naming the model', () => {
    try {
      stage().run({ kind: 'anonymous' }, 'gpt-9');
      fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(LlmpError);
      expect((e as LlmpError).code).toBe(ErrorCode.ModelNotFound);
      expect((e as LlmpError).details.param).toBe('model');
      expect((e as LlmpError).message).toContain('`gpt-9`');
    }
  });

  it('never treats prototype properties as aliases', () => {
    expect(codeOf(() => stage().run({ kind: 'anonymous' }, 'constructor'))).toBe(ErrorCode.ModelNotFound);
    expect(codeOf(() => stage().run({ kind: 'anonymous' }, '__proto__'))).toBe(ErrorCode.ModelNotFound);
  });
});
