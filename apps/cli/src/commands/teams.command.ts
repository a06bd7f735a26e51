import type { Command } from 'commander';
import { usageError } from '../cli.error';
import type { CliEnv } from '../config/cli-env.config';
import type { TeamView } from '../http/admin-api.types';
import { addPolicyOptions, policyBody, policyRows, type PolicyOptions } from '../options/policy.options';
import { formatList, formatTime, printJson, printLine, printRecord, printTable } from '../output/table.printer';
import { adminClient, examples } from './command-context';

interface TeamOptions extends PolicyOptions {
  name?: string;
  json?: boolean;
}

function showTeam(t: TeamView): void {
  printRecord([
    ['id', t.id],
    ['name', t.name],
    ...policyRows(t),
    ['metadata', Object.keys(t.metadata).length ? JSON.stringify(t.metadata) : undefined],
    ['created', formatTime(t.createdAt)],
    ['updated', formatTime(t.updatedAt)],
  ]);
}

export function registerTeamsCommand(program: Command, env: CliEnv): void {
  const teams = program.command('teams').description('create, list, show, update and delete teams');

  const create = addPolicyOptions(
    teams.command('create').description('create a team').requiredOption('--name <name>', 'team name (unique)'),
  )
    .option('--json', 'print the team as JSON')
    .action(async (o: TeamOptions, cmd: Command) => {
      const team = await adminClient(cmd, env).json<TeamView>('POST', '/teams', { body: { name: o.name, ...policyBody(o) } });
      if (o.json) return printJson(team);
      printLine(`Created team ${team.id} (${team.name})`);
    });
  examples(create, ['llmp teams create --name research', 'llmp teams create --name interns --models gpt-4o-mini --rpm 30 --budget 20 --period month']);

  const list = teams
    .command('list')
    .alias('ls')
    .description('list teams')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const rows = await adminClient(cmd, env).json<TeamView[]>('GET', '/teams');
      if (o.json) return printJson(rows);
      printTable(
        ['id', 'name', 'models', 'rpm', 'tpm', 'budget', 'created'],
        rows.map((t) => [
          t.id,
          t.name,
          formatList(t.allowedModels) ?? 'any',
          t.rpm,
          t.tpm,
          t.budgetUsd === null ? null : `$${t.budgetUsd}/${t.budgetPeriod ?? '?'}`,
          formatTime(t.createdAt),
        ]),
        'No teams. Create one with `llmp teams create --name <name>`.',
      );
    });
  examples(list, ['llmp teams list', 'llmp teams list --json']);

  const show = teams
    .command('show')
    .description('show one team')
    .argument('<id>', 'team id (team_…)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const team = await adminClient(cmd, env).json<TeamView>('GET', `/teams/${encodeURIComponent(id)}`);
      if (o.json) return printJson(team);
      showTeam(team);
    });
  examples(show, ['llmp teams show team_abc']);

  const update = addPolicyOptions(
    teams.command('update').description('change a team\'s name, policy or metadata (its keys follow within a second)').argument('<id>', 'team id'),
  )
    .option('--name <name>', 'new name')
    .option('--json', 'print the team as JSON')
    .action(async (id: string, o: TeamOptions, cmd: Command) => {
      const body = { ...(o.name && { name: o.name }), ...policyBody(o) };
      if (!Object.keys(body).length) throw usageError('nothing to change: give at least one option (see `llmp teams update --help`)');
      const team = await adminClient(cmd, env).json<TeamView>('PATCH', `/teams/${encodeURIComponent(id)}`, { body });
      if (o.json) return printJson(team);
      printLine(`Updated team ${team.id} (${team.name})`);
    });
  examples(update, ['llmp teams update team_abc --rpm 120', 'llmp teams update team_abc --models gpt-4o,gpt-4o-mini']);

  const remove = teams
    .command('delete')
    .alias('rm')
    .description('delete a team that has no keys')
    .argument('<id>', 'team id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await adminClient(cmd, env).json<void>('DELETE', `/teams/${encodeURIComponent(id)}`);
      printLine(`Deleted team ${id}`);
    });
  examples(remove, ['llmp teams delete team_abc']);
}
