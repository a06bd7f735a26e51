import { type DynamicModule, Module } from '@nestjs/common';
import { AuditRepository } from '../audit/audit.repository';
import { AuditRetentionService } from '../audit/audit-retention.service';
import { AuditLogProcessor } from './audit-log.processor';
import { AuditLogWriter } from './audit-log.writer';
import { AuditWriterRepository } from './audit-writer.repository';
import { OutboxRelay } from './outbox-relay.service';
import { QuarantineRepository } from './quarantine.repository';
import { RedisMemoryPolicyCheck } from './redis-memory-policy.check';
import { UsageLedgerProcessor } from './usage-ledger.processor';
import { UsageLedgerRepository } from './usage-ledger.repository';
import { UsageLedgerWriter } from './usage-ledger.writer';
import { DEFAULT_WORKERS_OPTIONS, WORKERS_OPTIONS, type WorkersOptions } from './workers.options';

const PROVIDERS = [
  AuditLogProcessor,
  AuditLogWriter,
  AuditRepository,
  AuditRetentionService,
  AuditWriterRepository,
  OutboxRelay,
  QuarantineRepository,
  RedisMemoryPolicyCheck,
  UsageLedgerProcessor,
  UsageLedgerRepository,
  UsageLedgerWriter,
];

/**
 * The worker mode of the admin app: usage ledger writer, audit chain writer, outbox relay and audit retention.
 * Needs the global InfraModule. Started by `apps/admin/src/worker.ts`.
 */
@Module({})
export class WorkersModule {
  static forRoot(options: Partial<WorkersOptions> = {}): DynamicModule {
    const opts: WorkersOptions = { ...DEFAULT_WORKERS_OPTIONS, ...options, run: { ...DEFAULT_WORKERS_OPTIONS.run, ...options.run } };
    return {
      module: WorkersModule,
      providers: [{ provide: WORKERS_OPTIONS, useValue: opts }, ...PROVIDERS],
      exports: PROVIDERS,
    };
  }
}
