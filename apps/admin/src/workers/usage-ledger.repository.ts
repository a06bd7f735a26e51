import { Injectable } from '@nestjs/common';
import type { UsageEvent } from '@llmp/common';
import { PrismaService } from '@llmp/infra';

/** A batch as one array per column ($1…$20); prepared once per connection, since the worker runs it for every batch. */
const INSERT_BATCH = `
  WITH input AS (
    SELECT * FROM unnest(
      $1::text[], $2::text[], $3::text[],
      $4::text[], $5::text[], $6::text[],
      $7::text[], $8::int[], $9::text[],
      $10::int[], $11::int[], $12::int[],
      $13::numeric[], $14::boolean[], $15::boolean[],
      $16::int[], $17::int[], $18::boolean[],
      $19::jsonb[], $20::timestamptz[]
    ) AS t("requestId", "keyId", "teamId", "requestedModel", "resolvedModel", "provider", "endpoint", "status",
           "errorCode", "promptTokens", "completionTokens", "totalTokens", "costUsd", "priced", "estimated",
           "latencyMs", "ttftMs", "streamed", "attempts", "createdAt")
  ), ins AS (
    INSERT INTO "UsageRecord" ("requestId", "keyId", "teamId", "requestedModel", "resolvedModel", "provider",
      "endpoint", "status", "errorCode", "promptTokens", "completionTokens", "totalTokens", "costUsd", "priced",
      "estimated", "latencyMs", "ttftMs", "streamed", "attempts", "createdAt")
    SELECT "requestId", "keyId", "teamId", "requestedModel", "resolvedModel", "provider", "endpoint", "status",
      "errorCode", "promptTokens", "completionTokens", "totalTokens", "costUsd", "priced", "estimated",
      "latencyMs", "ttftMs", "streamed", "attempts", "createdAt" AT TIME ZONE 'UTC'
    FROM input
    ON CONFLICT ("requestId") DO NOTHING
    RETURNING "keyId", "teamId", "requestedModel", "resolvedModel", "status", "promptTokens",
      "completionTokens", "totalTokens", "costUsd", "priced", "createdAt"
  ), agg AS (
    SELECT g.granularity, date_trunc(g.granularity, ins."createdAt") AS bucket,
      coalesce(ins."keyId", '') AS "keyId", coalesce(ins."teamId", '') AS "teamId",
      coalesce(nullif(ins."resolvedModel", ''), ins."requestedModel") AS model,
      count(*)::int AS requests, (count(*) FILTER (WHERE ins.status >= 400))::int AS errors,
      sum(ins."promptTokens")::bigint AS "promptTokens", sum(ins."completionTokens")::bigint AS "completionTokens",
      sum(ins."totalTokens")::bigint AS "totalTokens", sum(ins."costUsd") AS "costUsd",
      (count(*) FILTER (WHERE NOT ins.priced))::int AS unpriced
    FROM ins CROSS JOIN (VALUES ('hour'), ('day')) AS g(granularity)
    GROUP BY 1, 2, 3, 4, 5
  ), roll AS (
    INSERT INTO "UsageRollup" AS r (granularity, bucket, "keyId", "teamId", model, requests, errors,
      "promptTokens", "completionTokens", "totalTokens", "costUsd", unpriced)
    SELECT * FROM agg ORDER BY granularity, bucket, "keyId", "teamId", model
    ON CONFLICT (granularity, bucket, "keyId", "teamId", model) DO UPDATE SET
      requests = r.requests + EXCLUDED.requests,
      errors = r.errors + EXCLUDED.errors,
      "promptTokens" = r."promptTokens" + EXCLUDED."promptTokens",
      "completionTokens" = r."completionTokens" + EXCLUDED."completionTokens",
      "totalTokens" = r."totalTokens" + EXCLUDED."totalTokens",
      "costUsd" = r."costUsd" + EXCLUDED."costUsd",
      unpriced = r.unpriced + EXCLUDED.unpriced
    RETURNING 1
  ), used AS (
    UPDATE "ApiKey" AS k SET "lastUsedAt" = m.last
    FROM (SELECT "keyId", max("createdAt") AS last FROM ins WHERE "keyId" IS NOT NULL GROUP BY 1) AS m
    WHERE k.id = m."keyId" AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" < m.last)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM roll)::int AS rollups,
    (SELECT count(*) FROM used)::int AS keys
`;

/**
 * Writes ledger rows in one statement: the insert goes through the requestId unique key (a replay is a no-op), and
 * only the rows actually inserted feed the hour/day rollups and ApiKey.lastUsedAt, atomically with the insert.
 */
@Injectable()
export class UsageLedgerRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Returns how many rows were new. */
  async insertBatch(events: readonly UsageEvent[]): Promise<number> {
    if (!events.length) return 0;
    const col = <K extends keyof UsageEvent>(k: K): UsageEvent[K][] => events.map((e) => e[k]);
    const attempts = events.map((e) => JSON.stringify(e.attempts ?? []));
    const createdAt = events.map((e) => new Date(e.createdAt).toISOString());
    const rows = await this.prisma.preparedRows<{ inserted: number }>('usage_ledger_insert', INSERT_BATCH, [
      col('requestId'), col('keyId'), col('teamId'), col('requestedModel'), col('resolvedModel'), col('provider'),
      col('endpoint'), col('status'), col('errorCode'), col('promptTokens'), col('completionTokens'), col('totalTokens'),
      col('costUsd'), col('priced'), col('estimated'), col('latencyMs'), col('ttftMs'), col('streamed'),
      attempts, createdAt,
    ]);
    return rows[0]?.inserted ?? 0;
  }
}
