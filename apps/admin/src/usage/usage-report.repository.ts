import { Inject, Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService, REPORTS_PRISMA } from '@llmp/infra';

export type UsageDimension = 'day' | 'key' | 'team' | 'model';

export interface UsageFilter {
  keyId?: string;
  teamId?: string;
  model?: string;
}

/** Half-open time ranges answered by each source: raw records at sub-hour edges, hour rollups, day rollups. */
export interface UsagePlan {
  raw: [Date, Date][];
  hour: [Date, Date][];
  day: [Date, Date][];
}

export interface UsageSums {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
}

export interface UsageRowRaw extends UsageSums {
  day?: string;
  keyId?: string | null;
  keyName?: string | null;
  teamId?: string | null;
  teamName?: string | null;
  model?: string;
}

interface SumColumns {
  requests: bigint | null;
  errors: bigint | null;
  promptTokens: bigint | null;
  completionTokens: bigint | null;
  totalTokens: bigint | null;
  costUsd: string | null;
}

export interface UsageRecordRow {
  id: bigint;
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
  costUsd: Prisma.Decimal;
  priced: boolean;
  estimated: boolean;
  latencyMs: number;
  ttftMs: number | null;
  streamed: boolean;
  attempts: unknown;
  createdAt: Date;
}

export interface RecordFilter extends UsageFilter {
  from?: Date;
  to?: Date;
  beforeId?: bigint;
}

const ts = (d: Date): Prisma.Sql => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

function ranges(column: Prisma.Sql, list: [Date, Date][]): Prisma.Sql {
  if (!list.length) return Prisma.sql`false`;
  return Prisma.join(list.map(([a, b]) => Prisma.sql`(${column} >= ${ts(a)} AND ${column} < ${ts(b)})`), ' OR ');
}

const SUMS = Prisma.sql`sum(src.requests)::bigint AS requests, sum(src.errors)::bigint AS errors,
  sum(src.pt)::bigint AS "promptTokens", sum(src.ct)::bigint AS "completionTokens", sum(src.tt)::bigint AS "totalTokens",
  coalesce(sum(src.cost), 0)::text AS "costUsd"`;

function sums(r: SumColumns): UsageSums {
  return {
    requests: Number(r.requests ?? 0),
    errors: Number(r.errors ?? 0),
    promptTokens: Number(r.promptTokens ?? 0),
    completionTokens: Number(r.completionTokens ?? 0),
    totalTokens: Number(r.totalTokens ?? 0),
    costUsd: r.costUsd ?? '0',
  };
}

/** Usage aggregates from rollups (plus raw edges) and raw ledger pages. Sums are cast to text: no float drift. */
@Injectable()
export class UsageReportRepository {
  /** Reads only, from the reports database (a read replica when LLMP_REPORTS_DATABASE_URL is set). */
  constructor(@Inject(REPORTS_PRISMA) private readonly prisma: PrismaService) {}

  async aggregate(plan: UsagePlan, filter: UsageFilter, dims: readonly UsageDimension[]): Promise<{ rows: UsageRowRaw[]; totals: UsageSums; unpricedModels: string[] }> {
    const src = this.source(plan, filter);
    const select: Prisma.Sql[] = [];
    const group: Prisma.Sql[] = [];
    let joins = Prisma.empty;
    if (dims.includes('day')) {
      select.push(Prisma.sql`to_char(src.day, 'YYYY-MM-DD') AS day`);
      group.push(Prisma.sql`src.day`);
    }
    if (dims.includes('key')) {
      select.push(Prisma.sql`nullif(src."keyId", '') AS "keyId"`, Prisma.sql`k.name AS "keyName"`);
      group.push(Prisma.sql`src."keyId"`, Prisma.sql`k.name`);
      joins = Prisma.sql`${joins} LEFT JOIN "ApiKey" k ON k.id = src."keyId"`;
    }
    if (dims.includes('team')) {
      select.push(Prisma.sql`nullif(src."teamId", '') AS "teamId"`, Prisma.sql`t.name AS "teamName"`);
      group.push(Prisma.sql`src."teamId"`, Prisma.sql`t.name`);
      joins = Prisma.sql`${joins} LEFT JOIN "Team" t ON t.id = src."teamId"`;
    }
    if (dims.includes('model')) {
      select.push(Prisma.sql`src.model AS model`);
      group.push(Prisma.sql`src.model`);
    }
    const groupSql = group.length ? Prisma.sql`GROUP BY ${Prisma.join(group)} ORDER BY ${Prisma.join(group)}` : Prisma.empty;
    const selectSql = select.length ? Prisma.sql`${Prisma.join(select)}, ${SUMS}` : SUMS;
    const [rows, totals, unpriced] = await Promise.all([
      this.prisma.$queryRaw<(SumColumns & Record<string, string | null>)[]>`WITH src AS (${src}) SELECT ${selectSql} FROM src ${joins} ${groupSql}`,
      this.prisma.$queryRaw<SumColumns[]>`WITH src AS (${src}) SELECT ${SUMS} FROM src`,
      this.prisma.$queryRaw<{ model: string }[]>`WITH src AS (${src}) SELECT DISTINCT src.model FROM src WHERE src.unpriced > 0 ORDER BY 1`,
    ]);
    return {
      rows: rows.filter((r) => group.length > 0 || r.requests !== null).map((r) => {
        const out: UsageRowRaw = sums(r);
        if (dims.includes('day')) out.day = r.day ?? undefined;
        if (dims.includes('key')) Object.assign(out, { keyId: r.keyId, keyName: r.keyName });
        if (dims.includes('team')) Object.assign(out, { teamId: r.teamId, teamName: r.teamName });
        if (dims.includes('model')) out.model = r.model ?? undefined;
        return out;
      }),
      totals: sums(totals[0] ?? ({} as SumColumns)),
      unpricedModels: unpriced.map((u) => u.model),
    };
  }

  async records(filter: RecordFilter, limit: number): Promise<UsageRecordRow[]> {
    return this.prisma.usageRecord.findMany({
      where: {
        id: filter.beforeId !== undefined ? { lt: filter.beforeId } : undefined,
        createdAt: { gte: filter.from, lt: filter.to },
        keyId: filter.keyId,
        teamId: filter.teamId,
        OR: filter.model ? [{ resolvedModel: filter.model }, { resolvedModel: null, requestedModel: filter.model }] : undefined,
      },
      orderBy: { id: 'desc' },
      take: limit,
      select: {
        id: true, requestId: true, keyId: true, teamId: true, requestedModel: true, resolvedModel: true, provider: true,
        endpoint: true, status: true, errorCode: true, promptTokens: true, completionTokens: true, totalTokens: true,
        costUsd: true, priced: true, estimated: true, latencyMs: true, ttftMs: true, streamed: true, attempts: true,
        createdAt: true,
      },
    });
  }

  private source(plan: UsagePlan, f: UsageFilter): Prisma.Sql {
    const rawModel = Prisma.sql`coalesce(nullif("resolvedModel", ''), "requestedModel")`;
    const rawWhere = Prisma.sql`${f.keyId ? Prisma.sql`AND "keyId" = ${f.keyId}` : Prisma.empty}
      ${f.teamId ? Prisma.sql`AND "teamId" = ${f.teamId}` : Prisma.empty}
      ${f.model ? Prisma.sql`AND ${rawModel} = ${f.model}` : Prisma.empty}`;
    const rollWhere = Prisma.sql`${f.keyId ? Prisma.sql`AND "keyId" = ${f.keyId}` : Prisma.empty}
      ${f.teamId ? Prisma.sql`AND "teamId" = ${f.teamId}` : Prisma.empty}
      ${f.model ? Prisma.sql`AND model = ${f.model}` : Prisma.empty}`;
    const roll = (granularity: 'hour' | 'day', list: [Date, Date][]): Prisma.Sql => Prisma.sql`
      SELECT date_trunc('day', bucket) AS day, "keyId", "teamId", model, requests::bigint AS requests, errors::bigint AS errors,
        "promptTokens" AS pt, "completionTokens" AS ct, "totalTokens" AS tt, "costUsd" AS cost, unpriced::bigint AS unpriced
      FROM "UsageRollup" WHERE granularity = ${granularity} AND (${ranges(Prisma.sql`bucket`, list)}) ${rollWhere}`;
    return Prisma.sql`
      SELECT date_trunc('day', "createdAt") AS day, coalesce("keyId", '') AS "keyId", coalesce("teamId", '') AS "teamId",
        ${rawModel} AS model, 1::bigint AS requests, (status >= 400)::int::bigint AS errors, "promptTokens"::bigint AS pt,
        "completionTokens"::bigint AS ct, "totalTokens"::bigint AS tt, "costUsd" AS cost, (NOT priced)::int::bigint AS unpriced
      FROM "UsageRecord" WHERE (${ranges(Prisma.sql`"createdAt"`, plan.raw)}) ${rawWhere}
      UNION ALL ${roll('hour', plan.hour)}
      UNION ALL ${roll('day', plan.day)}`;
  }
}
