import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canaryMasterKey, canaryUpstreamKey, captureProcessOutput, CanaryScanner, maskCanary, registerCanaries, scanRun } from './canary';

/** The scanner finds a planted canary in every place it claims to look (so a clean scan means something). */
describe('canary scanner', () => {
  it('finds canaries in responses, process output, any table, and every Redis value type; not their prefixes or hashes', async () => {
    const scanner = new CanaryScanner();
    const [inResponse, inOutput, inRow, inString, inHash, inList, inZset, inStream, inKeyName, clean] = Array.from({ length: 10 }, (_, i) =>
      i % 2 ? canaryUpstreamKey() : canaryMasterKey(),
    );
    scanner.add(inResponse, inOutput, inRow, inString, inHash, inList, inZset, inStream, inKeyName, clean);
    scanner.sawResponse('a response', `{"echo":"${inResponse}"}`);
    const child = spawn(process.execPath, ['-e', `process.stderr.write(${JSON.stringify(inOutput)})`], { stdio: ['ignore', 'pipe', 'pipe'] });
    scanner.capture(child, 'probe');
    await once(child, 'close');

    const prefix = process.env.LLMP_REDIS_PREFIX!;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await redis
        .multi()
        .set(`${prefix}probe:string`, `x${inString}x`)
        .hset(`${prefix}probe:hash`, 'data', JSON.stringify({ apiKey: inHash }))
        .rpush(`${prefix}probe:list`, 'a', inList)
        .zadd(`${prefix}probe:zset`, 1, inZset)
        .xadd(`${prefix}probe:stream`, '*', 'payload', inStream)
        .set(`${prefix}probe:${inKeyName}`, '1')
        .set(`${prefix}probe:prefix-only`, clean.slice(0, 20))
        .exec();
      await db.query('CREATE TABLE canary_probe (id serial PRIMARY KEY, payload jsonb)');
      await db.query('INSERT INTO canary_probe (payload) VALUES ($1)', [{ nested: { secret: inRow } }]);

      const hits = await scanner.scan();
      const found = (c: string) => hits.filter((h) => h.canary === maskCanary(c)).map((h) => h.where.split(' ')[0]);
      expect(found(inResponse)).toEqual(['response']);
      expect(found(inOutput)).toEqual(['output']);
      expect(found(inRow)).toEqual(['postgres']);
      for (const c of [inString, inHash, inList, inZset, inStream, inKeyName]) expect(found(c)).toEqual(['redis']);
      expect(hits.filter((h) => h.where.includes('prefix-only'))).toEqual([]);
      expect(JSON.stringify(hits)).not.toContain(inRow);
    } finally {
      await db.query('DROP TABLE IF EXISTS canary_probe');
      await db.end();
      const keys = await redis.keys(`${prefix}probe:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('scanRun: every canary any spec registered, against every captured output, the run database and Redis prefix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmp-canary-run-'));
    const env = { ...process.env, LLMP_FAULTS_REPORT_DIR: dir };
    const previous = process.env.LLMP_FAULTS_REPORT_DIR;
    process.env.LLMP_FAULTS_REPORT_DIR = dir;
    try {
      const [leaked, kept] = [canaryMasterKey(), canaryUpstreamKey()];
      registerCanaries([leaked, kept]);
      const child = spawn(process.execPath, ['-e', `console.log("boot", ${JSON.stringify(leaked)})`], { stdio: ['ignore', 'pipe', 'pipe'] });
      captureProcessOutput(child, 'probe');
      await once(child, 'close');
      const run = await scanRun(env);
      expect(run.canaries).toBe(2);
      expect(run.outputs).toBe(1);
      expect(run.hits.map((h) => [h.where.split(' ')[0], h.canary])).toEqual([['output', maskCanary(leaked)]]);
    } finally {
      process.env.LLMP_FAULTS_REPORT_DIR = previous;
    }
  });
});
