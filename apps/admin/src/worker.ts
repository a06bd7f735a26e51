import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createNestLogger, flushLogs, InfraModule, loadEnv } from '@llmp/infra';
import { AuditLogProcessor } from './workers/audit-log.processor';
import { loadWorkersOptions } from './workers/config/workers.config';
import { OutboxRelay } from './workers/outbox-relay.service';
import { UsageLedgerProcessor } from './workers/usage-ledger.processor';
import { WorkersModule } from './workers/workers.module';

@Module({ imports: [InfraModule, WorkersModule.forRoot(loadWorkersOptions())] })
class WorkerAppModule {}

/**
 * Worker mode: BullMQ consumers and the outbox relay, no HTTP. On SIGTERM/SIGINT the consumers stop taking jobs and
 * finish their current batch first (they also do in `beforeApplicationShutdown`; stopping them here first keeps the
 * log's order plain); only then does the app close Postgres and Redis. A job cut off anyway (a close bounded at 10 s)
 * is redelivered by BullMQ's stalled-job check.
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerAppModule, { bufferLogs: false, logger: createNestLogger('worker', loadEnv()) });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    const began = Date.now();
    Logger.log(`${signal}: finishing the current batches`, 'Worker');
    await Promise.allSettled([app.get(UsageLedgerProcessor).close(), app.get(AuditLogProcessor).close(), app.get(OutboxRelay).stop()]);
    await app.close();
    Logger.log(`workers stopped in ${Date.now() - began} ms`, 'Worker');
    flushLogs();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
  Logger.log('llmp workers started (usage ledger, audit log, outbox relay)', 'Worker');
}

main().catch((e: unknown) => {
  Logger.error(`worker failed to start: ${(e as Error).stack ?? String(e)}`, 'Worker');
  flushLogs();
  process.exit(1);
});
