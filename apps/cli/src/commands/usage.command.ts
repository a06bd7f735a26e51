import { InvalidArgumentError, type Command } from 'commander';
import type { CliEnv } from '../config/cli-env.config';
import type { UsageReport, UsageRow } from '../http/admin-api.types';
import { parsePastInstant } from '../options/option-values.parser';
import { printJson, printLine, printTable, type Cell } from '../output/table.printer';
import { adminClient, examples } from './command-context';

const DIMENSIONS = ['day', 'key', 'team', 'model'] as const;
type Dimension = (typeof DIMENSIONS)[number];

interface UsageOptions {
  from?: string;
  to?: string;
  groupBy?: Dimension[];
  key?: string;
  team?: string;
  model?: string;
  csv?: boolean;
  json?: boolean;
}

function parseGroupBy(value: string): Dimension[] {
  const dims = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = dims.filter((d) => !(DIMENSIONS as readonly string[]).includes(d));
  if (!dims.length || bad.length) throw new InvalidArgumentError(`expected a comma-separated subset of ${DIMENSIONS.join(', ')}.`);
  return [...new Set(dims)] as Dimension[];
}

function dimensionCells(row: UsageRow, dims: readonly Dimension[]): Cell[] {
  return dims.map((d) => {
    switch (d) {
      case 'day':
        return row.day;
      case 'key':
        return row.keyName ? `${row.keyName} (${row.keyId})` : row.keyId;
      case 'team':
        return row.teamName ?? row.teamId;
      case 'model':
        return row.model;
    }
  });
}

export function registerUsageCommand(program: Command, env: CliEnv): void {
  const usage = program
    .command('usage')
    .description('usage and cost report (default: the last 30 days, one total)')
    .option('--from <when>', 'inclusive start: ISO date/time or a duration ago (7d)', parsePastInstant)
    .option('--to <when>', 'exclusive end: ISO date/time or a duration ago (default: now)', parsePastInstant)
    .option('--group-by <dims>', `comma-separated subset of ${DIMENSIONS.join(', ')}`, parseGroupBy)
    .option('--key <keyId>', 'only this key')
    .option('--team <teamId>', 'only this team')
    .option('--model <model>', 'only this model')
    .option('--csv', 'print CSV exactly as the control plane exports it')
    .option('--json', 'print the report as JSON')
    .action(async (o: UsageOptions, cmd: Command) => {
      const dims = o.groupBy ?? [];
      const query = { from: o.from, to: o.to, groupBy: dims.length ? dims.join(',') : undefined, keyId: o.key, teamId: o.team, model: o.model };
      const client = adminClient(cmd, env);
      if (o.csv) {
        process.stdout.write(await client.text('/usage', { ...query, format: 'csv' }));
        return;
      }
      const report = await client.json<UsageReport>('GET', '/usage', { query });
      if (o.json) return printJson(report);
      printLine(`Usage ${report.from} .. ${report.to}`);
      const sums = (r: UsageReport['totals']): Cell[] => [r.requests, r.errors, r.promptTokens, r.completionTokens, r.totalTokens, r.costUsd];
      const rows = report.rows.map((r) => [...dimensionCells(r, dims), ...sums(r)]);
      if (dims.length && rows.length) rows.push([...dims.map((_d, i) => (i === 0 ? 'TOTAL' : '')), ...sums(report.totals)]);
      printTable([...dims, 'requests', 'errors', 'prompt tok', 'completion tok', 'total tok', 'cost USD'], rows, 'No usage in this period.');
      if (report.unpricedModels.length) printLine(`Unpriced (cost 0): ${report.unpricedModels.join(', ')}`);
    });
  examples(usage, [
    'llmp usage',
    'llmp usage --from 7d --group-by day,model',
    'llmp usage --from 2026-01-01 --to 2026-02-01 --group-by team,key --csv > january.csv',
  ]);
}
