import { Logger } from '@nestjs/common';
import {
  ConfigStore,
  createNestLogger,
  EventPublisher,
  InflightTracker,
  installGracefulShutdown,
  loadEnv,
  reloadAuditFacts,
  signalReloadAuditEvent,
} from '@llmp/infra';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const env = loadEnv();
  const app = await createApiApp({ logger: createNestLogger('api', env) });
  await app.listen({ port: env.apiPort, host: env.host });
  installGracefulShutdown({
    server: app.getHttpServer(),
    tracker: app.get(InflightTracker),
    timeoutMs: env.shutdownTimeoutMs,
    close: async () => {
      // Usage and audit of the requests that just finished leave before Redis and Postgres connections close.
      await app.get(EventPublisher).flush();
      await app.close();
    },
  });
  process.on('SIGHUP', () => {
    // A signal carries no identity: the audit event names the process that reloaded and what changed.
    const result = app.get(ConfigStore).reload('SIGHUP');
    app.get(EventPublisher).publishAudit(signalReloadAuditEvent('api', 'SIGHUP', reloadAuditFacts(result)));
  });
  new Logger('DataPlane').log(`data plane listening on http://127.0.0.1:${env.apiPort}/v1`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
