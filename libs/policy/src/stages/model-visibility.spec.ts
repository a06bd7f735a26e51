import type { GatewayConfig } from '@llmp/common';
import type { GlobalAliasCache } from '../keys/global-alias.cache';
import { keyPrincipal } from '../testing/principal.fixture';
import { catalogOf } from './model-resolver';
import { ModelVisibility } from './model-visibility';

const models = catalogOf({
  providers: [{ name: 'mock' }, { name: 'openai' }],
  models: [
    { name: 'gpt-4o', targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    { name: 'gpt-4o-mini', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
    { name: 'embed', targets: [{ provider: 'openai', model: 'text-embedding-3-small' }] },
  ],
} as unknown as GatewayConfig);
// `pinned` points at a forced target no configured model has; `direct` at a configured one.
const global = { fast: 'gpt-4o-mini', smart: 'gpt-4o', pinned: 'mock://mock-large', direct: 'openai://gpt-4o' };
const visibility = new ModelVisibility({ all: global } as unknown as GlobalAliasCache);

describe('ModelVisibility', () => {
  it('shows every model and alias to an unrestricted principal, never forced-provider names or aliases to unconfigured targets', () => {
    expect(visibility.visibleModels({ kind: 'anonymous' }, models)).toEqual(['direct', 'embed', 'fast', 'gpt-4o', 'gpt-4o-mini', 'smart']);
    expect(visibility.visibleModels(keyPrincipal(), models)).toEqual(['direct', 'embed', 'fast', 'gpt-4o', 'gpt-4o-mini', 'smart']);
  });

  it('shows an alias to a forced target only where the list names that provider://model', () => {
    expect(visibility.visibleModels(keyPrincipal({ allowedModels: ['mock://*'] }), models)).toEqual(['pinned']);
    expect(visibility.visibleModels(keyPrincipal({ allowedModels: ['gpt-4o'] }), models)).toEqual(['gpt-4o', 'smart']);
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
