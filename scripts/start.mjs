#!/usr/bin/env node
// `npm start`: checks Postgres and Redis, creates the database and applies migrations if needed, builds when the
// sources changed, then runs the data plane, the control plane and the workers until Ctrl-C.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensurePostgres, ensureRedis, migrate } from './lib/services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
process.env.REDIS_URL ||= DEFAULT_REDIS_URL;

// The launcher's own lines follow LLMP_LOG_FORMAT like its children's (JSON unless a terminal), so a log shipper
// reading `npm start` or `llmp serve` sees one format; they never carry secrets.
const jsonLogs = (process.env.LLMP_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json')) === 'json';
function say(level, msg) {
  const stream = level === 'info' ? process.stdout : process.stderr;
  stream.write(jsonLogs ? JSON.stringify({ level, time: Date.now(), app: 'launcher', pid: process.pid, msg }) + '\n' : `[llmp] ${msg}\n`);
}

const ENTRIES = {
  api: 'dist/apps/api/src/main.js',
  admin: 'dist/apps/admin/src/main.js',
  worker: 'dist/apps/admin/src/worker.js',
};

/**
 * Node flags per process. The data plane gets 32 MB semi-spaces (V8's default is 16): short-lived request and stream
 * objects then die young instead of being promoted, which costs less CPU and, with the data plane's heap growth
 * setting (apps/api/src/main.ts), keeps peak RSS under 250 MB with 200 concurrent streams. V8 reads the semi-space
 * size only at startup, so it has to be a command-line flag. docker/entrypoint.sh passes the same.
 */
export const NODE_FLAGS = {
  api: ['--max-semi-space-size=32'],
  admin: [],
  worker: [],
};

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the apps when their sources changed, and the console (unless `ui: false`) when its dist is stale. */
export function buildIfStale({ ui = true } = {}) {
  const outputs = Object.values(ENTRIES).map((e) => join(root, e));
  const built = outputs.every(existsSync) ? Math.min(...outputs.map((o) => statSync(o).mtimeMs)) : 0;
  const sources = Math.max(newestMtime(join(root, 'apps')), newestMtime(join(root, 'libs')));
  if (built < sources) {
    say('info', 'building (first start or sources changed)…');
    const nest = join(root, 'node_modules/@nestjs/cli/bin/nest.js');
    for (const project of ['api', 'admin']) execFileSync(process.execPath, [nest, 'build', project], { cwd: root, stdio: 'inherit' });
  }
  if (ui) buildUiIfStale();
}

/** The console's static files (apps/admin/src/ui/dist), rebuilt when any console source is newer. */
export function buildUiIfStale() {
  const uiRoot = join(root, 'apps/admin/src/ui');
  const index = join(uiRoot, 'dist/index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(uiRoot)) return;
  say('info', 'building the console…');
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(uiRoot, 'vite.config.ts')], {
    cwd: uiRoot,
    stdio: 'inherit',
  });
}

async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  try {
    await ensurePostgres(process.env.DATABASE_URL);
    await ensureRedis(process.env.REDIS_URL);
    migrate(process.env.DATABASE_URL, root);
  } catch (e) {
    say('error', `cannot start: ${e.message}`);
    process.exit(1);
  }
  buildIfStale();

  const parts = only ? [only] : ['admin', 'worker', 'api'];
  const children = [];
  let stoppingSince = 0;
  // The children drain for up to LLMP_SHUTDOWN_TIMEOUT_MS; past that (and a margin for closing) they are killed.
  const drainMs = Number(process.env.LLMP_SHUTDOWN_TIMEOUT_MS) > 0 ? Number(process.env.LLMP_SHUTDOWN_TIMEOUT_MS) : 30_000;
  const stop = (code) => {
    if (stoppingSince) {
      // A second Ctrl-C from a person stops the children at once (each treats a second signal so). The copy of the
      // first one that npm forwards arrives within the same moment and is ignored.
      if (Date.now() - stoppingSince > 500) for (const c of children) c.kill('SIGTERM');
      return;
    }
    stoppingSince = Date.now();
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => {
      for (const c of children) c.kill('SIGKILL');
      process.exit(code || 1);
    }, drainMs + 15_000).unref();
    Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
  };
  for (const part of parts) {
    const child = spawn(process.execPath, ['--enable-source-maps', ...NODE_FLAGS[part], join(root, ENTRIES[part])], {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit'],
      // Their own session, so a terminal's Ctrl-C (sent to the whole foreground process group) reaches only this
      // launcher, which stops each child with one SIGTERM. In the group they also got the SIGINT, took our SIGTERM
      // as a second signal and exited at once, cutting off in-flight requests and unsent usage events.
      detached: true,
    });
    child.once('exit', (code, signal) => {
      if (!stoppingSince) {
        say('error', `${part} exited (${signal ?? code}); stopping the others`);
        stop(code || 1);
      }
    });
    children.push(child);
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  // SIGHUP reloads the config of the data plane and the control plane (the worker has none to reload); outside the
  // terminal's process group they hear it only from here.
  process.on('SIGHUP', () => {
    children.forEach((c, i) => parts[i] !== 'worker' && c.kill('SIGHUP'));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) main();
