import { Logger } from '@nestjs/common';
import { loadEnv } from '@llmp/infra';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const env = loadEnv();
  const app = await createApiApp();
  await app.listen({ port: env.apiPort, host: env.host });
  new Logger('DataPlane').log(`data plane listening on http://127.0.0.1:${env.apiPort}/v1`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
