import { Logger } from '@nestjs/common';
import { ConfigStore, ENV_CONFIG, type EnvConfig } from '@llmp/infra';
import { MasterKeyService } from './auth/master-key.service';
import { createAdminApp } from './bootstrap';
import { DemoKeySeeder } from './startup/demo-key.seeder';
import { formatStartupBanner } from './startup/startup-banner';

async function main(): Promise<void> {
  const app = await createAdminApp();
  const env = app.get<EnvConfig>(ENV_CONFIG);
  await app.listen(env.adminPort, '0.0.0.0');
  const master = app.get(MasterKeyService);
  process.on('SIGHUP', () => void app.get(ConfigStore).reload('SIGHUP'));
  if (master.disabled) new Logger('Auth').warn('the master key is disabled (LLMP_MASTER_KEY_DISABLED): only admin users can sign in');
  // stdout on purpose, not the logger: it carries secrets meant for the operator's terminal only.
  process.stdout.write(
    formatStartupBanner({
      adminUrl: `http://127.0.0.1:${env.adminPort}`,
      masterKey: { source: master.source, value: master.value, path: master.path },
      demoKey: app.get(DemoKeySeeder).demoKey,
    }),
  );
}

void main().catch((e: unknown) => {
  process.stderr.write(`llmp admin failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
