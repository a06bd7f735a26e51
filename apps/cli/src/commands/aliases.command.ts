import type { Command } from 'commander';
import type { CliEnv } from '../config/cli-env.config';
import type { AliasView } from '../http/admin-api.types';
import { printJson, printLine, printTable } from '../output/table.printer';
import { adminClient, examples } from './command-context';

export function registerAliasesCommand(program: Command, env: CliEnv): void {
  const aliases = program.command('aliases').description('list, set and delete global model aliases');

  const list = aliases
    .command('list')
    .alias('ls')
    .description('list global aliases (from the config file and set here)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const rows = await adminClient(cmd, env).json<AliasView[]>('GET', '/aliases');
      if (o.json) return printJson(rows);
      printTable(['alias', 'target', 'source'], rows.map((a) => [a.alias, a.target, a.source]), 'No aliases.');
    });
  examples(list, ['llmp aliases list']);

  const set = aliases
    .command('set')
    .description('create or replace a global alias (overrides the config file\'s)')
    .argument('<alias>', 'the name clients send, e.g. fast')
    .argument('<target>', 'a model, another alias, or provider://model')
    .option('--json', 'print the alias as JSON')
    .action(async (alias: string, target: string, o: { json?: boolean }, cmd: Command) => {
      const saved = await adminClient(cmd, env).json<AliasView>('PUT', `/aliases/${encodeURIComponent(alias)}`, { body: { target } });
      if (o.json) return printJson(saved);
      printLine(`${saved.alias} -> ${saved.target}`);
    });
  examples(set, ['llmp aliases set fast gpt-4o-mini', 'llmp aliases set local ollama://llama3.1']);

  const remove = aliases
    .command('delete')
    .alias('rm')
    .description('delete an alias set here (config file aliases stay)')
    .argument('<alias>', 'alias name')
    .action(async (alias: string, _o: unknown, cmd: Command) => {
      await adminClient(cmd, env).json<void>('DELETE', `/aliases/${encodeURIComponent(alias)}`);
      printLine(`Deleted alias ${alias}`);
    });
  examples(remove, ['llmp aliases delete fast']);
}
