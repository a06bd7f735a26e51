import { Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import { AUDIT_GENESIS_HASH, chainHash } from './audit-chain';
import { type AuditFilter, AuditRepository, type AuditRow } from './audit.repository';

export interface AuditPage {
  data: AuditEventView[];
  nextCursor: string | null;
}

export interface AuditEventView {
  seq: string;
  eventId: string;
  time: string;
  actorType: string;
  actorId: string | null;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceIp: string | null;
  prevHash: string;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: string;
}

const VERIFY_PAGE = 5000;

function view(r: AuditRow): AuditEventView {
  return { ...r, seq: r.seq.toString(), time: r.time.toISOString() };
}

/** Lists the audit log and verifies its hash chain. */
@Injectable()
export class AuditLogService {
  constructor(private readonly repo: AuditRepository) {}

  async list(filter: Omit<AuditFilter, 'beforeSeq'>, limit: number, cursor?: string): Promise<AuditPage> {
    let beforeSeq: bigint | undefined;
    if (cursor) {
      if (!/^\d{1,19}$/.test(cursor)) throw new LlmpError(ErrorCode.InvalidRequest, 'cursor is invalid', { param: 'cursor' });
      beforeSeq = BigInt(cursor);
    }
    const rows = await this.repo.list({ ...filter, beforeSeq }, limit + 1);
    const page = rows.slice(0, limit);
    return { data: page.map(view), nextCursor: rows.length > limit ? page[page.length - 1].seq.toString() : null };
  }

  /** Recomputes every hash from the oldest kept row (anchored at the last prune, else the genesis hash). */
  async verify(): Promise<ChainVerification> {
    let expectedPrev = (await this.repo.latestPruneAnchor()) ?? AUDIT_GENESIS_HASH;
    let checked = 0;
    let afterSeq = 0n;
    for (;;) {
      const rows = await this.repo.page(afterSeq, VERIFY_PAGE);
      for (const r of rows) {
        if (r.prevHash !== expectedPrev || chainHash(r.prevHash, r) !== r.hash) {
          return { ok: false, checked, firstBrokenSeq: r.seq.toString() };
        }
        expectedPrev = r.hash;
        checked++;
      }
      if (rows.length < VERIFY_PAGE) return { ok: true, checked };
      afterSeq = rows[rows.length - 1].seq;
    }
  }
}
