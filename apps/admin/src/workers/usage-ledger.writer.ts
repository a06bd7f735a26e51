import { Injectable } from '@nestjs/common';
import { type BatchItem, writeIsolating, type WriteOutcome } from './isolate-failures';
import { QuarantineRepository } from './quarantine.repository';
import { sanitizeUsageEvent } from './usage-event.sanitizer';
import { UsageLedgerRepository } from './usage-ledger.repository';

/** Repairs, writes and (for records no retry can fix) quarantines a batch of usage jobs. */
@Injectable()
export class UsageLedgerWriter {
  constructor(
    private readonly ledger: UsageLedgerRepository,
    private readonly quarantine: QuarantineRepository,
  ) {}

  write(items: readonly BatchItem[]): Promise<WriteOutcome[]> {
    return writeIsolating(
      items,
      sanitizeUsageEvent,
      (rows) => this.ledger.insertBatch(rows),
      (item, error) => this.quarantine.add('usage', item.jobId, item.payload, error),
    );
  }
}
