#!/usr/bin/env node
// `npm run openapi:generate` / `openapi:check`: boots the built control plane, writes its OpenAPI document to
// apps/admin/openapi.json and the console's typed client types from it; `check` regenerates into a temp dir and
// fails when either committed file differs (API drift without a regenerated client).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTypes } from './lib/openapi-types.mjs';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensurePostgres, ensureRedis, migrate } from './lib/services.mjs';
import { buildIfStale } from './start.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = 'apps/admin/openapi.json';
const TYPES = 'apps/admin/src/ui/src/api/schema.gen.ts';

async function fetchDocument() {
  // A database and Redis prefix of its own: booting seeds a demo key and must not touch anyone's data.
  // (The test suite passes LLMP_OPENAPI_KEEP_ENV=1 with a database and prefix of the test run's own.)
  if (process.env.LLMP_OPENAPI_KEEP_ENV !== '1') {
    const db = new URL(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    db.pathname = '/llmp_openapi';
    process.env.DATABASE_URL = db.toString();
    process.env.LLMP_REDIS_PREFIX = 'llmp_openapi:';
  }
  process.env.REDIS_URL ||= DEFAULT_REDIS_URL;
  // A throwaway master key, so no key file is written and none is printed.
  process.env.LLMP_MASTER_KEY = 'llmp_admin_openapi_generation_only';
  await ensurePostgres(process.env.DATABASE_URL);
  await ensureRedis(process.env.REDIS_URL);
  migrate(process.env.DATABASE_URL, root);
  buildIfStale({ ui: false });
  const { createAdminApp } = require(join(root, 'dist/apps/admin/src/bootstrap.js'));
  const app = await createAdminApp({ logger: false });
  try {
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
    if (res.statusCode !== 200) throw new Error(`/docs-json answered ${res.statusCode}`);
    return JSON.parse(res.body);
  } finally {
    await app.close();
  }
}

function render(doc) {
  return { [DOC]: JSON.stringify(doc, null, 2) + '\n', [TYPES]: generateTypes(doc) };
}

async function main() {
  const mode = process.argv[2];
  if (mode !== 'generate' && mode !== 'check') {
    console.error('usage: node scripts/openapi.mjs generate|check');
    process.exit(2);
  }
  const files = render(await fetchDocument());
  if (mode === 'generate') {
    for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
    console.log(`[openapi] wrote ${Object.keys(files).join(', ')}`);
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'llmp-openapi-'));
  const drifted = [];
  for (const [path, text] of Object.entries(files)) {
    writeFileSync(join(tmp, path.replace(/\//g, '_')), text);
    let committed = '';
    try {
      committed = readFileSync(join(root, path), 'utf8');
    } catch {
      // missing counts as drift
    }
    if (committed !== text) drifted.push(path);
  }
  if (drifted.length) {
    console.error(`[openapi] drift in ${drifted.join(', ')} (fresh copies in ${tmp}); run npm run openapi:generate and commit`);
    process.exit(1);
  }
  console.log('[openapi] committed document and client types are up to date');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[openapi] ${e.stack ?? e}`);
    process.exit(1);
  },
);
