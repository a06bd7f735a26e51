import type { Command } from 'commander';
import { resolveAdminToken, type CliEnv } from '../config/cli-env.config';
import { AdminApiClient } from '../http/admin-api.client';

/** Options defined once on the root command and accepted by every subcommand. */
export interface GlobalOptions {
  adminUrl?: string;
  token?: string;
}

/** The control plane client for a command: flags first, then the environment. */
export function adminClient(cmd: Command, env: CliEnv): AdminApiClient {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const url = g.adminUrl ?? env.adminUrl;
  return new AdminApiClient(url, resolveAdminToken(env, g.token, url));
}

/** `Examples:` help text appended to a command's --help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}
