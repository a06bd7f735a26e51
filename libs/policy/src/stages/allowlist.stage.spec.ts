import { ErrorCode, LlmpError, type ModelResolution, type Principal } from '@llmp/common';
import { keyPrincipal } from '../testing/principal.fixture';
import { AllowlistStage } from './allowlist.stage';

const stage = new AllowlistStage();

function res(requested: string, resolved: string, chain: string[] = [requested]): ModelResolution {
  return { requested, resolved, aliasChain: chain };
}

/** A forced `provider://model`; `configuredAs` is the configured model whose target it is, if any. */
function forced(name: string, configuredAs?: string, chain: string[] = [name]): ModelResolution {
  const [provider, model] = name.split('://');
  return { requested: chain[0], resolved: configuredAs ?? name, aliasChain: chain, forced: { provider, model } };
}

function allowed(p: Principal, r: ModelResolution): boolean {
  try {
    stage.run(p, r);
    return true;
  } catch (e) {
    expect((e as LlmpError).code).toBe(ErrorCode.ModelNotAllowed);
    expect((e as LlmpError).details.param).toBe('model');
    return false;
  }
}

describe('AllowlistStage', () => {
  it('lets anonymous principals and empty lists through', () => {
    expect(allowed({ kind: 'anonymous' }, res('gpt-4o', 'gpt-4o'))).toBe(true);
    expect(allowed(keyPrincipal(), res('gpt-4o', 'gpt-4o'))).toBe(true);
  });

  it('matches exact names and * globs on the resolved model', () => {
    const p = keyPrincipal({ allowedModels: ['gpt-4o-mini', 'claude-*'] });
    expect(allowed(p, res('gpt-4o-mini', 'gpt-4o-mini'))).toBe(true);
    expect(allowed(p, res('claude-3-haiku', 'claude-3-haiku'))).toBe(true);
    expect(allowed(p, res('gpt-4o', 'gpt-4o'))).toBe(false);
    expect(allowed(keyPrincipal({ allowedModels: ['*'] }), res('anything', 'anything'))).toBe(true);
  });

  it('treats glob metacharacters other than * literally', () => {
    expect(allowed(keyPrincipal({ allowedModels: ['gpt.4o'] }), res('gpt-4o', 'gpt-4o'))).toBe(false);
  });

  it('intersects key and team lists', () => {
    const p = keyPrincipal({ allowedModels: ['gpt-*'] }, { allowedModels: ['gpt-4o-mini'] });
    expect(allowed(p, res('gpt-4o-mini', 'gpt-4o-mini'))).toBe(true);
    expect(allowed(p, res('gpt-4o', 'gpt-4o'))).toBe(false);
    const teamOnly = keyPrincipal({}, { allowedModels: ['gpt-4o-mini'] });
    expect(allowed(teamOnly, res('gpt-4o', 'gpt-4o'))).toBe(false);
  });

  it('grants an alias the list names exactly, and what it points to', () => {
    const p = keyPrincipal({ allowedModels: ['fast'] });
    expect(allowed(p, res('fast', 'gpt-4o-mini', ['fast', 'gpt-4o-mini']))).toBe(true);
  });

  it('never lets an alias escalate to a model the key may not use', () => {
    const p = keyPrincipal({ allowedModels: ['gpt-4o-mini'], modelAliases: { cheap: 'gpt-4o' } });
    expect(allowed(p, res('cheap', 'gpt-4o', ['cheap', 'gpt-4o']))).toBe(false);
    // A glob that happens to match the alias name does not grant the alias.
    const glob = keyPrincipal({ allowedModels: ['fa*'] });
    expect(allowed(glob, res('fast', 'gpt-4o', ['fast', 'gpt-4o']))).toBe(false);
    // A key alias named on the key list does not widen the team.
    const team = keyPrincipal({ allowedModels: ['cheap'] }, { allowedModels: ['gpt-4o-mini'] });
    expect(allowed(team, res('cheap', 'gpt-4o', ['cheap', 'gpt-4o']))).toBe(false);
  });

  it('does not grant a canonical name just because the list names it when it is not an alias', () => {
    const p = keyPrincipal({ allowedModels: ['gpt-4o'] });
    expect(allowed(p, res('gpt-4o', 'gpt-4o'))).toBe(true);
  });

  it('grants a forced target only by an entry in provider://model form, never by the part after ://', () => {
    const large = forced('mock://mock-large');
    expect(allowed(keyPrincipal({ allowedModels: ['mock://*'] }), large)).toBe(true);
    expect(allowed(keyPrincipal({ allowedModels: ['mock-large'] }), large)).toBe(false);
    expect(allowed(keyPrincipal({ allowedModels: ['gpt-4o'] }), large)).toBe(false);
    // A bare `*` means every model, not every upstream name of every provider.
    expect(allowed(keyPrincipal({ allowedModels: ['*'] }), large)).toBe(false);
    expect(allowed(keyPrincipal({ allowedModels: ['*://*'] }), large)).toBe(true);
    const mini = keyPrincipal({ allowedModels: ['gpt-4o-mini*'] });
    expect(allowed(mini, forced('mock://gpt-4o-mini-but-actually-large'))).toBe(false);
    expect(allowed(mini, forced('evil://gpt-4o-mini'))).toBe(false);
    // Even a configured target of gpt-4o-mini is named by its provider://model, not by the model's name.
    expect(allowed(mini, forced('openai://gpt-4o-mini', 'gpt-4o-mini'))).toBe(false);
    expect(allowed(keyPrincipal({ allowedModels: ['openai://gpt-4o-mini*'] }), forced('openai://gpt-4o-mini', 'gpt-4o-mini'))).toBe(true);
  });

  it('lets an empty list ("any") and an anonymous caller reach configured targets only, never arbitrary upstream names', () => {
    expect(allowed(keyPrincipal(), forced('openai://gpt-4o-mini', 'gpt-4o-mini'))).toBe(true);
    expect(allowed(keyPrincipal(), forced('openai://anything-else'))).toBe(false);
    expect(allowed({ kind: 'anonymous' }, forced('openai://anything-else'))).toBe(false);
    expect(allowed({ kind: 'anonymous' }, forced('openai://gpt-4o-mini', 'gpt-4o-mini'))).toBe(true);
    // An empty key list does not widen a team list that names no such target.
    expect(allowed(keyPrincipal({}, { allowedModels: ['local://*'] }), forced('local://x'))).toBe(false);
    expect(allowed(keyPrincipal({ allowedModels: ['local://*'] }, { allowedModels: ['local://*'] }), forced('local://x'))).toBe(true);
  });

  it('grants an alias to a forced target only when that target is configured', () => {
    const p = keyPrincipal({ allowedModels: ['pinned'] });
    expect(allowed(p, forced('openai://gpt-4o-mini', 'gpt-4o-mini', ['pinned', 'openai://gpt-4o-mini']))).toBe(true);
    expect(allowed(p, forced('openai://raw-upstream', undefined, ['pinned', 'openai://raw-upstream']))).toBe(false);
  });
});
