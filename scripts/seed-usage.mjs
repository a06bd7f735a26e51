#!/usr/bin/env node
// Seeds N synthetic usage records (server-side generate_series, in chunks) plus the matching rollups, for the
// report benchmark: `npm run seed:usage -- --records 10000000 [--days 90] [--keys 50] [--models 8]`.
import pg from 'pg';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const records = arg('records', 100000);
const days = arg('days', 90);
const keys = arg('keys', 50);
const teams = Math.max(1, Math.ceil(keys / 5));
const models = arg('models', 8);
const chunk = 500000;
const run = Date.now().toString(36);
const url = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/llmp';

const db = new pg.Client({ connectionString: url });
await db.connect();
const started = Date.now();
const end = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
const start = new Date(end.getTime() - days * 86400000);

await db.query(
  `INSERT INTO "Team" (id, name, "updatedAt") SELECT 'seed_team_' || t, 'Seed team ' || t, now() FROM generate_series(1, $1) t
   ON CONFLICT DO NOTHING`, [teams]);
await db.query(
  `INSERT INTO "ApiKey" (id, name, "keyHash", "keyPrefix", "teamId", "updatedAt")
   SELECT 'seed_key_' || k, 'Seed key ' || k, md5('seed-key-' || k) || md5('seed-key-x' || k), 'llmp_seed', 'seed_team_' || (1 + (k % $2)), now()
   FROM generate_series(1, $1) k ON CONFLICT DO NOTHING`, [keys, teams]);

for (let offset = 0; offset < records; offset += chunk) {
  const n = Math.min(chunk, records - offset);
  // One statement per chunk: records and the rollups of exactly those records, like the worker does.
  await db.query('BEGIN');
  await db.query(
    `WITH ins AS (
       INSERT INTO "UsageRecord" ("requestId", "keyId", "teamId", "requestedModel", "resolvedModel", provider, endpoint,
         status, "errorCode", "promptTokens", "completionTokens", "totalTokens", "costUsd", priced, "latencyMs", streamed, "createdAt")
       SELECT 'seed-' || $1 || '-' || g, 'seed_key_' || k, 'seed_team_' || (1 + (k % $4)), 'seed-model-' || m, 'seed-model-' || m,
         'mock', 'chat', CASE WHEN g % 50 = 0 THEN 429 ELSE 200 END, CASE WHEN g % 50 = 0 THEN 'rate_limit_exceeded' END,
         pt, ct, pt + ct, CASE WHEN m = 0 THEN 0 ELSE round((pt * 0.15 * m + ct * 0.6 * m) / 1000000.0, 10) END, m <> 0,
         (g % 900) + 50, g % 3 = 0,
         $2::timestamptz AT TIME ZONE 'UTC' + make_interval(secs => ((g * 7919) % ($3::bigint * 86400))::double precision)
       FROM (SELECT g, 1 + (g * 31 % $5) AS k, (g * 17) % $6 AS m, (g * 13 % 2000) + 10 AS pt, (g * 7 % 800) + 1 AS ct
             FROM generate_series($7::bigint, $8::bigint) g) s
       ON CONFLICT ("requestId") DO NOTHING
       RETURNING "keyId", "teamId", "resolvedModel", status, "promptTokens", "completionTokens", "totalTokens", "costUsd", priced, "createdAt"
     ), agg AS (
       SELECT gr.granularity, date_trunc(gr.granularity, "createdAt") AS bucket, "keyId", "teamId", "resolvedModel" AS model,
         count(*)::int AS requests, (count(*) FILTER (WHERE status >= 400))::int AS errors, sum("promptTokens")::bigint pt,
         sum("completionTokens")::bigint ct, sum("totalTokens")::bigint tt, sum("costUsd") cost,
         (count(*) FILTER (WHERE NOT priced))::int unpriced
       FROM ins CROSS JOIN (VALUES ('hour'), ('day')) gr(granularity) GROUP BY 1, 2, 3, 4, 5
     )
     INSERT INTO "UsageRollup" AS r (granularity, bucket, "keyId", "teamId", model, requests, errors, "promptTokens",
       "completionTokens", "totalTokens", "costUsd", unpriced)
     SELECT * FROM agg
     ON CONFLICT (granularity, bucket, "keyId", "teamId", model) DO UPDATE SET requests = r.requests + EXCLUDED.requests,
       errors = r.errors + EXCLUDED.errors, "promptTokens" = r."promptTokens" + EXCLUDED."promptTokens",
       "completionTokens" = r."completionTokens" + EXCLUDED."completionTokens",
       "totalTokens" = r."totalTokens" + EXCLUDED."totalTokens", "costUsd" = r."costUsd" + EXCLUDED."costUsd",
       unpriced = r.unpriced + EXCLUDED.unpriced`,
    [run, start.toISOString(), days, teams, keys, models, offset + 1, offset + n],
  );
  await db.query('COMMIT');
  process.stdout.write(`seeded ${offset + n}/${records} records (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
await db.query('ANALYZE "UsageRecord"');
await db.query('ANALYZE "UsageRollup"');
await db.end();
console.log(`done: ${records} records over ${days} days, ${keys} keys, ${teams} teams, ${models} models in ${((Date.now() - started) / 1000).toFixed(1)} s`);
