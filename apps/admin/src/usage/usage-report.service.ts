import { Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import { planUsageRanges } from './usage-plan';
import {
  type RecordFilter,
  type UsageDimension,
  type UsageFilter,
  UsageReportRepository,
  type UsageRowRaw,
  type UsageSums,
} from './usage-report.repository';

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageDimension[];
  rows: UsageRowRaw[];
  totals: UsageSums;
  /** Models with requests recorded without a price (cost 0). */
  unpricedModels: string[];
}

export interface UsageRecordView {
  id: string;
  requestId: string;
  keyId: string | null;
  teamId: string | null;
  requestedModel: string;
  resolvedModel: string | null;
  provider: string | null;
  endpoint: string;
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
  priced: boolean;
  estimated: boolean;
  latencyMs: number;
  ttftMs: number | null;
  streamed: boolean;
  attempts: unknown;
  createdAt: string;
}

const MAX_RANGE_DAYS = 3660;

/** Finance reports over the ledger. */
@Injectable()
export class UsageReportService {
  constructor(private readonly repo: UsageReportRepository) {}

  async report(from: Date, to: Date, groupBy: UsageDimension[], filter: UsageFilter): Promise<UsageReport> {
    if (!(to.getTime() > from.getTime())) throw new LlmpError(ErrorCode.InvalidRequest, '`to` must be after `from`', { param: 'to' });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      throw new LlmpError(ErrorCode.InvalidRequest, `the range may span at most ${MAX_RANGE_DAYS} days`, { param: 'from' });
    }
    const result = await this.repo.aggregate(planUsageRanges(from, to), filter, groupBy);
    return { from: from.toISOString(), to: to.toISOString(), groupBy, ...result };
  }

  async records(filter: Omit<RecordFilter, 'beforeId'>, limit: number, cursor?: string): Promise<{ data: UsageRecordView[]; nextCursor: string | null }> {
    let beforeId: bigint | undefined;
    if (cursor) {
      if (!/^\d{1,19}$/.test(cursor)) throw new LlmpError(ErrorCode.InvalidRequest, 'cursor is invalid', { param: 'cursor' });
      beforeId = BigInt(cursor);
    }
    const rows = await this.repo.records({ ...filter, beforeId }, limit + 1);
    const page = rows.slice(0, limit);
    return {
      data: page.map((r) => ({ ...r, id: r.id.toString(), costUsd: r.costUsd.toFixed(), createdAt: r.createdAt.toISOString() })),
      nextCursor: rows.length > limit ? page[page.length - 1].id.toString() : null,
    };
  }
}
