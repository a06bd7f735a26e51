import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli.error';
import { buildProgram } from './cli.program';
import { loadCliEnv } from './config/cli-env.config';
import { projectRoot } from './config/project-root';

/** Commander "errors" that are really a normal end: --help, --version. */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander already printed its message (and the hint) to stderr.
    return CLEAN_EXITS.has(e.code) ? EXIT_OK : EXIT_USAGE;
  }
  if (e instanceof CliError) {
    process.stderr.write(`llmp: ${e.message}\n`);
    return e.exitCode;
  }
  // A bug, not an expected failure: keep the stack for the report.
  process.stderr.write(`llmp: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT_FAILURE;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram(loadCliEnv(), version()).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    return exitCodeOf(e);
  }
}

// Set the code instead of calling exit(), so piped stdout (a large CSV) is flushed before the process ends.
void main().then((code) => {
  process.exitCode = code;
});
