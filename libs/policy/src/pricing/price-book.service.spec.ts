import type { GatewayConfig } from '@llmp/common';
import type { EnvConfig } from '@llmp/infra';
import type { Redis } from 'ioredis';
import type { ModelPriceRepository } from './model-price.repository';
import { PriceBook } from './price-book.service';

const config = {
  providers: [{ name: 'openai', pricing: { input: 5, output: 15 } }, { name: 'mock' }],
  models: [
    { name: 'gpt-4o-mini', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }], pricing: { input: 0.15, output: 0.6 } },
    { name: 'free', targets: [{ provider: 'openai', model: 'free' }] },
  ],
} as unknown as GatewayConfig;

// Only the constructor runs: the config's prices. Overrides (Postgres) and invalidation (Redis) are covered end to end.
const book = new PriceBook(config, { redisPrefix: 't:' } as EnvConfig, {} as ModelPriceRepository, {} as Redis);

describe('PriceBook', () => {
  it("prices a forced provider://model that no configured model has with the provider's price", () => {
    expect(book.priceOf('openai://some-upstream')).toEqual({ input: 5, output: 15 });
    expect(book.cost('openai://some-upstream', 1_000_000, 1_000_000)).toEqual({ costUsd: '20', priced: true });
    expect(book.entryOf('openai://some-upstream')).toMatchObject({ model: 'openai://*', source: 'config' });
  });

  it('leaves a provider without pricing, and configured models without one, unpriced', () => {
    expect(book.priceOf('mock://mock-large')).toBeNull();
    expect(book.cost('mock://mock-large', 10, 10)).toEqual({ costUsd: '0', priced: false });
    // A configured model is priced as itself only, never by a provider's price.
    expect(book.priceOf('free')).toBeNull();
    expect(book.priceOf('gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
  });

  it('never reads a bare upstream name or a malformed forced name as a provider', () => {
    expect(book.priceOf('some-upstream')).toBeNull();
    expect(book.priceOf('://x')).toBeNull();
  });
});
