import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createNestLogger, flushLogs, InfraModule, loadEnv } from '@llmp/infra';
import { loadWorkersOptions } from './workers/config/workers.config';
import { WorkersModule } from './workers/workers.module';

@Module({ imports: [InfraModule, WorkersModule.forRoot(loadWorkersOptions())] })
class WorkerAppModule {}

/**
 * Worker mode: BullMQ consumers and the outbox relay, no HTTP. On SIGTERM/SIGINT `app.close()` stops the consumers
 * and the relay first (`beforeApplicationShutdown`: they finish their current batch) and only then closes Postgres and
 * Redis (`onApplicationShutdown`). A job cut off anyway (a close bounded at 10 s) is redelivered by BullMQ's
 * stalled-job check.
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerAppModule, { bufferLogs: false, logger: createNestLogger('worker', loadEnv()) });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    const began = Date.now();
    Logger.log(`${signal}: finishing the current batches`, 'Worker');
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
