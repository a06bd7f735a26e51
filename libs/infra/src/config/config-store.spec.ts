import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDACTED, scrubSecrets } from '@llmp/common';
import { ConfigStore } from './config-store';
import type { EnvConfig } from './env.config';
import { loadGatewayConfig } from './gateway-config.loader';

const yaml = (apiKey: string, header: string): string => `
providers:
  - { name: up, type: openai, baseUrl: "http://127.0.0.1:9/v1", apiKey: "${apiKey}" }
  - { name: other, type: openai, baseUrl: "http://127.0.0.1:9/v1", headers: { x-tenant-auth: "${header}" } }
models:
  - { name: m, targets: [{ provider: up, model: m }] }
`;

describe('ConfigStore and the secret scrubber', () => {
  it('scrubs every provider secret of the loaded config, and of a reloaded one at once', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'llmp-store-')), 'llmp.config.yaml');
    writeFileSync(path, yaml('opaque-boot-api-key-1', 'opaque-boot-header-1'));
    // Only what the store reads: the config path, the install prefix and the master key.
    const env = { configPath: path, redisPrefix: 'test:', masterKey: 'opaque-master-key-1' } as EnvConfig;
    const store = new ConfigStore(env, loadGatewayConfig(path), null, null);
    expect(scrubSecrets('opaque-boot-api-key-1 opaque-boot-header-1 opaque-master-key-1')).toBe(`${REDACTED} ${REDACTED} ${REDACTED}`);

    writeFileSync(path, yaml('opaque-reloaded-api-key-2', 'opaque-reloaded-header-2'));
    expect(store.reload().status).toBe('applied');
    expect(scrubSecrets('opaque-reloaded-api-key-2 / opaque-reloaded-header-2')).toBe(`${REDACTED} / ${REDACTED}`);
  });
});
