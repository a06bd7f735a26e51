import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/src/bootstrap';

/** Writes `yaml` to a temp file and points LLMP_CONFIG at it (read by the next app boot). */
export function useConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmp-config-'));
  const path = join(dir, 'llmp.config.yaml');
  writeFileSync(path, yaml);
  process.env.LLMP_CONFIG = path;
  return path;
}

/** Boots the real data plane on Fastify on a free loopback port. */
export async function startDataPlane(): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await createApiApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `${await app.getUrl()}`.replace('[::1]', '127.0.0.1') };
}
