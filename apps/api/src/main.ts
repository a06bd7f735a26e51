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
  startupErrorMessage,
} from '@llmp/infra';
import { setFlagsFromString } from 'node:v8';
import { createApiApp } from './bootstrap';

/**
 * Old-generation growth between full collections: 1.5x the live heap instead of V8's default of up to 4x for a
 * process that allocates fast. Streams keep per-request state alive across young collections, so it is promoted;
 * with the default, 200 concurrent streams took the data plane to about 310 MB RSS for about 40 MB of live objects.
 * With 1.5x (and the 32 MB semi-spaces the launchers pass, which promote less) peak RSS stays under 250 MB at the same
 * CPU per request (bench/README.md). Read at every collection, so setting it here, before any load, is enough.
 */
setFlagsFromString('--heap-growing-percent=50');

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
  console.error(startupErrorMessage(e, 'LLMP_API_PORT'));
  process.exit(1);
});
