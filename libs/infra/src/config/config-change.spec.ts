import type { GatewayConfig } from '@llmp/common';
import { summarizeConfigChange } from './config-change';

const config = (providerPricing?: { input: number; output: number }): GatewayConfig =>
  ({
    providers: [{ name: 'local', type: 'mock', timeoutMs: 1, ...(providerPricing && { pricing: providerPricing }) }],
    models: [{ name: 'm', targets: [{ provider: 'local', model: 'x', priority: 0, weight: 1 }], pricing: { input: 1, output: 2 } }],
    aliases: {},
  }) as unknown as GatewayConfig;

describe('summarizeConfigChange', () => {
  it("lists a provider's price change (forced calls no configured model has) as provider://*", () => {
    const change = summarizeConfigChange(config(), config({ input: 3, output: 4 }));
    expect(change.prices).toEqual([{ model: 'local://*', before: null, after: { input: 3, output: 4 } }]);
    expect(change.providers.changed).toEqual(['local']);
    expect(summarizeConfigChange(config({ input: 3, output: 4 }), config({ input: 3, output: 4 })).prices).toEqual([]);
  });
});
