import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InfraModule } from '@llmp/infra';
import { loadWorkersOptions } from './workers/config/workers.config';
import { WorkersModule } from './workers/workers.module';

@Module({ imports: [InfraModule, WorkersModule.forRoot(loadWorkersOptions())] })
class WorkerAppModule {}

/** Worker mode: BullMQ consumers and the outbox relay, no HTTP. SIGTERM/SIGINT close the workers gracefully. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerAppModule, { bufferLogs: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  Logger.log('llmp workers started (usage ledger, audit log, outbox relay)', 'Worker');
}

main().catch((e: unknown) => {
  Logger.error(`worker failed to start: ${(e as Error).stack ?? String(e)}`, 'Worker');
  process.exit(1);
});
