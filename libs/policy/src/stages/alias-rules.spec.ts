import { ErrorCode, LlmpError, type GatewayConfig } from '@llmp/common';
import { aliasProblem, assertAliasesAllowed } from './alias-rules';
import { catalogOf } from './model-resolver';

const catalog = catalogOf({
  providers: [{ name: 'openai' }, { name: 'mock' }],
  models: [{ name: 'gpt-4o-mini', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] }],
} as unknown as GatewayConfig);
const layers = (global: Record<string, string>, team: Record<string, string> = {}, key: Record<string, string> = {}) => ({ key, team, global });

describe('alias rules', () => {
  it('accepts aliases to configured models, to other aliases that lead to one, and to configured targets', () => {
    expect(aliasProblem('fast', layers({ fast: 'gpt-4o-mini' }), catalog)).toBeNull();
    expect(aliasProblem('quick', layers({ fast: 'gpt-4o-mini' }, { quick: 'fast' }), catalog)).toBeNull();
    expect(aliasProblem('pinned', layers({ pinned: 'openai://gpt-4o-mini' }), catalog)).toBeNull();
  });

  it('refuses targets that are no configured model: unknown names, arbitrary upstream names, cycles', () => {
    expect(aliasProblem('x', layers({ x: 'gpt-9' }), catalog)?.part).toBe('target');
    expect(aliasProblem('x', layers({ x: 'mock://mock-large' }), catalog)?.part).toBe('target');
    expect(aliasProblem('x', layers({ x: 'openai://gpt-4o-mini-but-larger' }), catalog)?.part).toBe('target');
    expect(aliasProblem('x', layers({ x: 'y', y: 'x' }), catalog)?.part).toBe('target');
  });

  it("refuses an alias carrying a configured model's name, or a forced-looking name", () => {
    expect(aliasProblem('gpt-4o-mini', layers({}, {}, { 'gpt-4o-mini': 'gpt-4o-mini' }), catalog)).toMatchObject({ part: 'name' });
    expect(aliasProblem('a://b', layers({ 'a://b': 'gpt-4o-mini' }), catalog)).toMatchObject({ part: 'name' });
  });

  it('refuses an alias name with white space around it (ingress trims every requested name)', () => {
    for (const name of [' fast', 'fast ', '\tfast', ' gpt-4o-mini']) {
      expect(aliasProblem(name, layers({ [name]: 'gpt-4o-mini' }), catalog)).toMatchObject({ part: 'name' });
    }
  });

  it('throws 400 naming the field and the alias', () => {
    const aliases = { fine: 'gpt-4o-mini', 'gpt-4o-mini': 'fine' };
    try {
      assertAliasesAllowed('modelAliases', aliases, layers({}, {}, aliases), catalog);
      fail('expected an error');
    } catch (e) {
      expect((e as LlmpError).code).toBe(ErrorCode.InvalidRequest);
      expect((e as LlmpError).status).toBe(400);
      expect((e as LlmpError).details.data).toEqual({ field: 'modelAliases', alias: 'gpt-4o-mini' });
      expect((e as LlmpError).message).toContain('modelAliases');
    }
  });
});
