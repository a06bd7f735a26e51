import { Logger } from '@nestjs/common';
import { createNestLogger, ENV_CONFIG, flushLogs, loadEnv, startupErrorMessage, type EnvConfig } from '@llmp/infra';
import { MasterKeyService } from './auth/master-key.service';
import { createAdminApp } from './bootstrap';
import { ConfigReloadService } from './config/config-reload.service';
import { DemoKeySeeder } from './startup/demo-key.seeder';
import { formatStartupBanner } from './startup/startup-banner';

async function main(): Promise<void> {
  const app = await createAdminApp({ logger: createNestLogger('admin', loadEnv()) });
  const env = app.get<EnvConfig>(ENV_CONFIG);
  await app.listen(env.adminPort, '0.0.0.0');
  const master = app.get(MasterKeyService);
  process.on('SIGHUP', () => {
    app
      .get(ConfigReloadService)
      .reloadFromSignal('SIGHUP')
      .catch((e: unknown) => new Logger('Config').error(`SIGHUP reload: the audit event could not be written: ${(e as Error).message}`));
  });
  if (master.disabled) new Logger('Auth').warn('the master key is disabled (LLMP_MASTER_KEY_DISABLED): only admin users can sign in');
  // Straight to stdout on purpose, not through the logger: the banner is the one place a generated master key and the
  // demo key are shown to the operator (at a terminal, or on the run that generated them), and the logger's scrubber
  // would (rightly) blank them. Log lines go out
  // asynchronously, so flush them first to keep the banner whole and after the startup lines.
  flushLogs();
  process.stdout.write(
    formatStartupBanner({
      adminUrl: `http://127.0.0.1:${env.adminPort}`,
      masterKey: { source: master.source, value: master.value, path: master.path },
      demoKey: app.get(DemoKeySeeder).demoKey,
      stdoutIsTerminal: process.stdout.isTTY === true,
    }),
  );
}

void main().catch((e: unknown) => {
  process.stderr.write(`llmp admin failed to start: ${startupErrorMessage(e, 'LLMP_ADMIN_PORT')}\n`);
  process.exit(1);
});
