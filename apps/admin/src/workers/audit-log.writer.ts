import { Injectable } from '@nestjs/common';
import { AuditWriterRepository } from './audit-writer.repository';
import { sanitizeAuditEvent } from './audit-event.sanitizer';
import { type BatchItem, writeIsolating, type WriteOutcome } from './isolate-failures';
import { QuarantineRepository } from './quarantine.repository';

/** Repairs and chains a batch of audit jobs; a record no retry can fix is quarantined. */
@Injectable()
export class AuditLogWriter {
  constructor(
    private readonly chain: AuditWriterRepository,
    private readonly quarantine: QuarantineRepository,
  ) {}

  write(items: readonly BatchItem[]): Promise<WriteOutcome[]> {
    return writeIsolating(
      items,
      sanitizeAuditEvent,
      (rows) => this.chain.append(rows),
      (item, error) => this.quarantine.add('audit', item.jobId, item.payload, error),
    );
  }
}
