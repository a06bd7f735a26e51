import type { GlobalAliasCache } from '../keys/global-alias.cache';
import { keyPrincipal } from '../testing/principal.fixture';
import { ModelVisibility } from './model-visibility';

const models = ['gpt-4o', 'gpt-4o-mini', 'embed'];
const global = { fast: 'gpt-4o-mini', smart: 'gpt-4o', pinned: 'mock://mock-large' };
const visibility = new ModelVisibility({ all: global } as unknown as GlobalAliasCache);

describe('ModelVisibility', () => {
  it('shows every model and alias to an unrestricted principal, never forced-provider names', () => {
    expect(visibility.visibleModels({ kind: 'anonymous' }, models)).toEqual(['embed', 'fast', 'gpt-4o', 'gpt-4o-mini', 'smart']);
  });

  it('shows only what the allowlist admits, aliases included', () => {
    const p = keyPrincipal({ allowedModels: ['gpt-4o-mini'], modelAliases: { mine: 'gpt-4o-mini', big: 'gpt-4o' } });
    expect(visibility.visibleModels(p, models)).toEqual(['fast', 'gpt-4o-mini', 'mine']);
  });

  it('shows an alias the list names explicitly', () => {
    const p = keyPrincipal({ allowedModels: ['smart'] });
    expect(visibility.visibleModels(p, models, global)).toEqual(['smart']);
  });
});
