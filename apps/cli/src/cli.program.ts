import { Command } from 'commander';
import { registerAliasesCommand } from './commands/aliases.command';
import { registerAuditCommand } from './commands/audit.command';
import { registerChatCommand } from './commands/chat.command';
import { examples } from './commands/command-context';
import { registerConfigCommand } from './commands/config.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerServeCommand } from './commands/serve.command';
import { registerTeamsCommand } from './commands/teams.command';
import { registerUsageCommand } from './commands/usage.command';
import { DEFAULT_ADMIN_URL, type CliEnv } from './config/cli-env.config';

/** The whole command tree. Settings made before `.command()` calls are inherited by every subcommand. */
export function buildProgram(env: CliEnv, version: string): Command {
  const program = new Command('llmp')
    .description('llmp: enterprise LLM policy proxy. Run it, manage keys and policy, report usage, smoke-test it.')
    .version(version, '-V, --version')
    .option('--admin-url <url>', `control plane URL (default: LLMP_ADMIN_URL or ${DEFAULT_ADMIN_URL})`)
    .option('--token <token>', 'admin token: the master key or a login token (default: LLMP_ADMIN_TOKEN)')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false });

  registerServeCommand(program);
  registerConfigCommand(program, env);
  registerKeysCommand(program, env);
  registerTeamsCommand(program, env);
  registerAliasesCommand(program, env);
  registerUsageCommand(program, env);
  registerAuditCommand(program, env);
  registerChatCommand(program, env);

  examples(program, [
    'llmp serve',
    'llmp config check --config llmp.config.yaml',
    'export LLMP_ADMIN_TOKEN=<master key printed by llmp serve>',
    'llmp keys create --name ci --models gpt-4o-mini --rpm 60',
    'llmp usage --from 7d --group-by day,model',
    'llmp chat "hello" --key llmp_…',
  ]);
  program.addHelpText('after', '\nExit codes: 0 ok, 1 error, 2 usage error. Every command has --help.\n');
  return program;
}
