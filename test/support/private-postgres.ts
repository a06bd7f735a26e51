import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = '/usr/lib/postgresql/15/bin';
const root = join(__dirname, '..', '..');

/** Runs a PostgreSQL binary as the `postgres` OS user when we are root (initdb and postgres refuse to run as root). */
function asPostgres(cmd: string, args: string[]): string {
  const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

function osUser(name: string): { uid: number; gid: number } {
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim()));
  return { uid, gid };
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, trust auth, loopback on a port of its choosing), so a
 * test can stop and restart Postgres without touching the machine's shared server. `destroy()` stops it and removes
 * its directory; a process exit hook does the same if a test run dies before its afterAll.
 */
export class PrivatePostgres {
  private dir: string | null = null;
  private readonly onExit = (): void => this.destroySync();

  constructor(readonly port: number) {}

  /** The URL of `database` on this cluster, as the `postgres` superuser. */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb, start, create `database` and apply the project's migrations to it; returns its URL. */
  async create(database: string): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), 'llmp-pg-'));
    if (process.getuid?.() === 0) {
      const { uid, gid } = osUser('postgres');
      chownSync(this.dir, uid, gid);
    }
    process.once('exit', this.onExit);
    asPostgres(`${BIN}/initdb`, ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    this.start();
    const admin = new pg.Client({ connectionString: this.url() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = this.url(database);
    execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'pipe',
    });
    return url;
  }

  /** Starts the server and waits until it accepts connections. */
  start(): void {
    const dir = this.requireDir();
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off`;
    asPostgres(`${BIN}/pg_ctl`, ['-D', join(dir, 'data'), '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** Stops the server the hard way (`-m immediate`: connections cut, no checkpoint), as a crash or a failover would. */
  stop(): void {
    const dir = this.requireDir();
    asPostgres(`${BIN}/pg_ctl`, ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  /** Stops the server if it runs and removes the cluster's directory. Safe to call more than once. */
  async destroy(): Promise<void> {
    this.destroySync();
  }

  private destroySync(): void {
    process.removeListener('exit', this.onExit);
    const dir = this.dir;
    if (!dir) return;
    this.dir = null;
    try {
      asPostgres(`${BIN}/pg_ctl`, ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running (never started, or already stopped).
    }
    rmSync(dir, { recursive: true, force: true });
  }

  private requireDir(): string {
    if (!this.dir) throw new Error('PrivatePostgres: call create() first');
    return this.dir;
  }
}
