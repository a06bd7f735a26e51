import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Canary secrets: values a fault spec hands to the processes it starts (master key, issued `llmp_` keys, upstream
 * credentials, admin passwords) and then looks for everywhere they must never be: response bodies, process output,
 * every Postgres row, every Redis key and value under the run's prefix (BullMQ jobs included). A hit is the full
 * secret; key prefixes (`llmp_` + a few characters) and SHA-256 hashes are allowed and never match.
 *
 * Per spec: `new CanaryScanner()`, `.add(secret)`, `.capture(child)` right after spawn, `.sawResponse(label, body)`,
 * then `expect(await scanner.scan()).toEqual([])`. Over a whole run: specs call `registerCanaries` and
 * `captureProcessOutput`, and `scanRun()` (e.g. in global teardown, before the database is dropped) checks every
 * registered canary against every captured output, the run's database and the run's Redis prefix.
 */

/** `canary-master-…`: a master key that is recognisable in any dump. */
export function canaryMasterKey(): string {
  return `canary-master-${randomBytes(16).toString('hex')}`;
}

/** `sk-canary-upstream-…`: a provider credential for a config file. */
export function canaryUpstreamKey(): string {
  return `sk-canary-upstream-${randomBytes(16).toString('hex')}`;
}

/** An admin password (long enough for the user DTO). */
export function canaryPassword(): string {
  return `canary-password-${randomBytes(12).toString('hex')}`;
}

/** One place a canary was found. */
export interface CanaryHit {
  /** `response <label>`, `output <label>`, `postgres <table>`, `redis <key>`. */
  where: string;
  /** Which canary, shortened so the report itself does not repeat it. */
  canary: string;
  /** A few characters around the hit, with the secret masked. */
  excerpt: string;
}

/** How a hit names its canary: enough to tell canaries apart, not enough to reuse one. */
export const maskCanary = (s: string): string => `${s.slice(0, 12)}…${s.slice(-4)}`;

function findIn(text: string, canaries: readonly string[], where: string): CanaryHit[] {
  const hits: CanaryHit[] = [];
  for (const c of canaries) {
    const at = text.indexOf(c);
    if (at === -1) continue;
    const excerpt = text.slice(Math.max(0, at - 60), at + c.length + 60).split(c).join('<CANARY>');
    hits.push({ where, canary: maskCanary(c), excerpt });
  }
  return hits;
}

const reportDir = (): string | undefined => process.env.LLMP_FAULTS_REPORT_DIR;

/** Adds canaries to the run's list, for `scanRun()` at the end of the run. No-op outside a report run. */
export function registerCanaries(values: readonly string[]): void {
  const dir = reportDir();
  if (!dir) return;
  mkdirSync(join(dir, 'canaries'), { recursive: true });
  appendFileSync(join(dir, 'canaries', `${process.pid}.txt`), values.map((v) => `${v}\n`).join(''));
}

/**
 * Tees everything `child` writes (stdout and stderr, from its first byte: call right after spawn) into `sink` and,
 * in a report run, into `<LLMP_FAULTS_REPORT_DIR>/process-output/<label>-<pid>.log` for `scanRun()`.
 */
export function captureProcessOutput(child: ChildProcess, label: string, sink?: (text: string) => void): void {
  const dir = reportDir();
  const file = dir ? join(dir, 'process-output', `${label}-${child.pid}.log`) : undefined;
  if (file) mkdirSync(join(dir!, 'process-output'), { recursive: true });
  const take = (d: Buffer): void => {
    const text = d.toString();
    sink?.(text);
    if (file) appendFileSync(file, text);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
}

/** Every row of every table of the database at `url`, as text, searched in Postgres (one scan per table). */
export async function scanPostgres(url: string, canaries: readonly string[]): Promise<CanaryHit[]> {
  if (!canaries.length) return [];
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const tables = (
      await db.query(`SELECT table_schema, table_name FROM information_schema.tables
                      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`)
    ).rows as { table_schema: string; table_name: string }[];
    const hits: CanaryHit[] = [];
    for (const t of tables) {
      const name = `"${t.table_schema.replace(/"/g, '""')}"."${t.table_name.replace(/"/g, '""')}"`;
      const rows = (
        await db.query(`SELECT r::text AS row FROM ${name} r WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) c WHERE strpos(r::text, c) > 0) LIMIT 20`, [canaries])
      ).rows as { row: string }[];
      for (const r of rows) hits.push(...findIn(r.row, canaries, `postgres ${name}`));
    }
    return hits;
  } finally {
    await db.end();
  }
}

/** Every key under `prefix` and its whole value, whatever the type (string, hash, list, set, zset, stream). */
export async function scanRedis(redisUrl: string, prefix: string, canaries: readonly string[]): Promise<CanaryHit[]> {
  if (!canaries.length) return [];
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const hits: CanaryHit[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let parts: string[] = [key];
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(...Object.entries(await redis.hgetall(key)).flat());
        else if (type === 'list') parts.push(...(await redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(...(await redis.smembers(key)));
        else if (type === 'zset') parts.push(...(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
        else if (type === 'stream') parts.push(...(await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]));
        else if (type !== 'none') parts = [key, `<unscanned type ${type}>`];
        hits.push(...findIn(parts.join('\n'), canaries, `redis ${key} (${type})`));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return hits;
}

/** One spec's canaries and everything it saw; `scan()` searches it all plus the database and Redis. */
export class CanaryScanner {
  private readonly canaries = new Set<string>();
  private readonly responses: { label: string; text: string }[] = [];
  private readonly outputs = new Map<string, string>();

  /** Canaries to look for (also registered for the run-wide scan). Returns the first one, for inline use. */
  add(...values: string[]): string {
    for (const v of values) {
      if (v.length < 16) throw new Error('a canary must be long enough to be unmistakable (16+ characters)');
      this.canaries.add(v);
    }
    registerCanaries(values);
    return values[0];
  }

  get values(): string[] {
    return [...this.canaries];
  }

  /**
   * Keeps a child's whole output for `scan()` (call right after spawn, before it writes anything). Children spawned
   * through test/production/production.fixture also land in the report directory for `scanRun()`.
   */
  capture(child: ChildProcess, label: string): void {
    const key = `${label}-${child.pid}`;
    this.outputs.set(key, '');
    const take = (d: Buffer): void => void this.outputs.set(key, this.outputs.get(key) + d.toString());
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
  }

  /** Output captured so far from the child labelled `label` (all of its pids, concatenated). */
  output(label: string): string {
    return [...this.outputs.entries()].filter(([k]) => k.startsWith(`${label}-`)).map(([, v]) => v).join('');
  }

  /** A response the test saw (status line, headers and body as text). */
  sawResponse(label: string, text: string): void {
    this.responses.push({ label, text });
  }

  /** fetch that records what came back (headers and body); the body is returned already read. */
  async fetch(label: string, url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string; json: () => any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary JSON in tests
    const res = await fetch(url, init);
    const text = await res.text();
    this.sawResponse(label, `${res.status} ${JSON.stringify([...res.headers])}\n${text}`);
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  /** Responses and outputs seen by this spec, plus the database at `databaseUrl` and Redis under `redisPrefix`. */
  async scan(opts: { databaseUrl?: string; redisUrl?: string; redisPrefix?: string } = {}): Promise<CanaryHit[]> {
    const canaries = this.values;
    const hits: CanaryHit[] = [];
    for (const r of this.responses) hits.push(...findIn(r.text, canaries, `response ${r.label}`));
    for (const [label, text] of this.outputs) hits.push(...findIn(text, canaries, `output ${label}`));
    const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
    if (databaseUrl) hits.push(...(await scanPostgres(databaseUrl, canaries)));
    const prefix = opts.redisPrefix ?? process.env.LLMP_REDIS_PREFIX;
    if (prefix) hits.push(...(await scanRedis(opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix, canaries)));
    return hits;
  }
}

/**
 * The run-wide scan: every canary any spec registered, against every process output captured in the report
 * directory, the run's database (`DATABASE_URL` of global setup) and everything under the run's Redis prefix
 * (`LLMP_TEST_BASE_PREFIX`, covering every file's own prefix). Call before global teardown drops them.
 */
export async function scanRun(env: NodeJS.ProcessEnv = process.env): Promise<{ canaries: number; outputs: number; hits: CanaryHit[] }> {
  const dir = env.LLMP_FAULTS_REPORT_DIR;
  if (!dir) throw new Error('LLMP_FAULTS_REPORT_DIR is not set');
  const read = (sub: string): { name: string; text: string }[] =>
    existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).map((name) => ({ name, text: readFileSync(join(dir, sub, name), 'utf8') })) : [];
  const canaries = [...new Set(read('canaries').flatMap((f) => f.text.split('\n')).filter((l) => l.length >= 16))];
  const outputs = read('process-output');
  const hits = outputs.flatMap((o) => findIn(o.text, canaries, `output ${o.name}`));
  if (env.DATABASE_URL) hits.push(...(await scanPostgres(env.DATABASE_URL, canaries)));
  const prefix = env.LLMP_TEST_BASE_PREFIX ?? env.LLMP_REDIS_PREFIX;
  if (prefix) hits.push(...(await scanRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix, canaries)));
  return { canaries: canaries.length, outputs: outputs.length, hits };
}
