import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * The built entry `dist/<entry>` of a Nest project, building the project when the test run has none yet (npm test
 * builds first; a lone jest run may not).
 */
export function ensureBuilt(project: 'api' | 'admin', entry: string): string {
  const path = join(root, 'dist', entry);
  if (!existsSync(path)) {
    execFileSync(process.execPath, [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', project], { cwd: root, stdio: 'pipe' });
  }
  return path;
}

/** The built data plane entry. */
export function ensureBuiltDataPlane(): string {
  return ensureBuilt('api', 'apps/api/src/main.js');
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

export async function waitHealthy(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not healthy: ${last}`);
}

/** A data plane replica as its own OS process, sharing the test run's Postgres database and Redis prefix. */
export interface Replica {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function spawnDataPlane(env: Record<string, string>): Promise<Replica> {
  const entry = ensureBuiltDataPlane();
  const port = await freePort();
  let stderr = '';
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, ...env, LLMP_API_PORT: String(port), LLMP_HOST: '127.0.0.1', LLMP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(`${url}/health/ready`);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
