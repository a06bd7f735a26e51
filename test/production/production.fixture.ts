import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { createRedis, InfraModule } from '@llmp/infra';
import pg from 'pg';
import { WorkersModule } from '../../apps/admin/src/workers/workers.module';
import { captureProcessOutput } from '../support/canary';
import { ensureBuilt } from '../support/processes';

const root = join(__dirname, '..', '..');
export const API_ENTRY = join(root, 'dist/apps/api/src/main.js');

/** The built data plane; builds it when the run has none (a lone jest run may not have built). */
export function ensureBuiltApi(): string {
  if (!existsSync(API_ENTRY)) {
    execFileSync(process.execPath, [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'api'], { cwd: root, stdio: 'pipe' });
  }
  return API_ENTRY;
}

export function writeConfig(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'llmp-prod-')), 'llmp.config.yaml');
  writeFileSync(path, yaml);
  return path;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch {
      // Not there yet (connection refused while booting, etc.).
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The built control plane; builds it when the run has none. */
export function ensureBuiltAdmin(): string {
  return ensureBuilt('admin', 'apps/admin/src/main.js');
}

/** A built data plane replica (or control plane) as its own OS process. */
export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  /** Called right after spawn, before the process writes anything (e.g. to capture its whole output). */
  onSpawn?: (child: ChildProcess) => void;
}

export async function spawnApi(env: Record<string, string>, opts: SpawnOptions = {}): Promise<ApiProcess> {
  return spawnBuilt(ensureBuiltApi(), 'LLMP_API_PORT', env, opts);
}

/** The built control plane (`dist/apps/admin/src/main.js`); it listens on every interface, like in production. */
export async function spawnAdmin(env: Record<string, string>, opts: SpawnOptions = {}): Promise<ApiProcess> {
  return spawnBuilt(ensureBuiltAdmin(), 'LLMP_ADMIN_PORT', env, opts);
}

async function spawnBuilt(entry: string, portVariable: string, env: Record<string, string>, opts: SpawnOptions): Promise<ApiProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, LLMP_LOG_LEVEL: 'log', NO_COLOR: '1', ...env, [portVariable]: String(port), LLMP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Every process's whole output goes to the fault report directory, for the run-wide canary scan.
  captureProcessOutput(child, portVariable === 'LLMP_ADMIN_PORT' ? 'admin' : 'api');
  opts.onSpawn?.(child);
  const collect = (d: Buffer): void => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // 'close', not 'exit': 'exit' can come before the last of the output has been read from the pipes.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReadyOrKill(url, child, () => output);
  return { url, child, output: () => output, exited };
}

/** Waits for a spawned process's readiness; if it never comes, kills it and fails with what it printed. */
export async function waitReadyOrKill(url: string, child: ChildProcess, output: () => string): Promise<void> {
  try {
    await waitFor(`${url}/health/ready`, async () => (await fetch(`${url}/health/ready`)).ok, 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${output()}`);
  }
}

/** A private redis-server on its own port, so the test can stop it without touching the machine's Redis. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.proc = proc;
    // A test that fails before stop() (or a Jest worker that exits early) must not leave a redis-server behind.
    const killOnExit = (): void => void proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    proc.once('exit', () => process.off('exit', killOnExit));
    await waitFor(`redis-server :${this.port}`, async () => {
      const probe = createRedis(this.url, { lazyConnect: true, retryStrategy: () => null });
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    });
  }

  /** SIGSTOP: the server keeps its sockets open and answers nothing (a hung Redis), until `resume`. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    this.proc = null;
  }
}

/**
 * Ledger rows of requests sent with these `x-request-id`s (global setup's DATABASE_URL). A client-chosen id is kept
 * as the prefix of the ledger id, which gets a unique `~suffix` so a reused id never merges two requests.
 */
export async function ledgerRows(requestIds: string[]): Promise<{ requestId: string; status: number; streamed: boolean; completionTokens: number }[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const r = await client.query(
      `SELECT "requestId", status, streamed, "completionTokens" FROM "UsageRecord" WHERE split_part("requestId", '~', 1) = ANY($1)`,
      [requestIds],
    );
    return r.rows as { requestId: string; status: number; streamed: boolean; completionTokens: number }[];
  } finally {
    await client.end();
  }
}

/** The ledger and audit workers in this process (what `dist/apps/admin/src/worker.js` runs), for the run's Redis. */
export async function startWorkers(): Promise<INestApplicationContext> {
  const mod = await Test.createTestingModule({
    imports: [InfraModule, WorkersModule.forRoot({ batchWaitMs: 5, relayIntervalMs: 100, run: { usage: true, audit: true, relay: true, prune: false } })],
  }).compile();
  mod.useLogger(false);
  await mod.init();
  return mod;
}

/** Stops what a spec started: the in-process workers, then the spawned planes (SIGTERM), waiting until they are gone. */
export async function stopPlanes(workers: INestApplicationContext | undefined, ...planes: (ApiProcess | undefined)[]): Promise<void> {
  await workers?.close();
  for (const p of planes) p?.child.kill('SIGTERM');
  await Promise.all(planes.map((p) => p?.exited));
}

/** Streams one chat completion over fetch; resolves with the SSE text once the response ends. */
export async function streamChat(url: string, model: string, requestId: string, onFirstChunk?: () => void): Promise<string> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  if (!res.ok || !res.body) throw new Error(`stream ${requestId}: status ${res.status}`);
  const decoder = new TextDecoder();
  let text = '';
  let first = true;
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(part, { stream: true });
    if (first) {
      first = false;
      onFirstChunk?.();
    }
  }
  return text;
}
