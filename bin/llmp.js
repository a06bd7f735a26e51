#!/usr/bin/env node
// The `llmp` command. Its source is TypeScript in apps/cli (built into dist/ like the apps); on a fresh clone, or
// after the CLI sources changed, build it first so `npx llmp …` always runs the code in the tree.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist/apps/cli/src/main.js');
// What the CLI compiles from (libs/common contributes types only, so it cannot make the output stale).
const SOURCES = ['apps/cli/src', 'libs/infra/src/config', 'libs/routing/src/http/sse-parser.ts'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function buildIfStale() {
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (built && built >= sources) return;
  const nest = join(root, 'node_modules/@nestjs/cli/bin/nest.js');
  // An install without dev dependencies cannot build; a dist/ that exists is then the one to run.
  if (!existsSync(nest) && built) return;
  process.stderr.write('[llmp] building the command line (first run or sources changed)…\n');
  try {
    // stdout stays clean for the command's own output (JSON, CSV).
    execFileSync(process.execPath, [nest, 'build', 'cli'], { cwd: root, stdio: ['ignore', 2, 2] });
  } catch {
    if (!built) {
      process.stderr.write('llmp: could not build the command line (see above); run `npm install`, then `npx nest build cli`\n');
      process.exit(1);
    }
    process.stderr.write('[llmp] build failed; running the previous build\n');
  }
}

if (process.env.LLMP_CLI_SKIP_BUILD !== '1') buildIfStale();
require(entry);
