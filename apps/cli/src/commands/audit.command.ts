import type { Command } from 'commander';
import { CliError } from '../cli.error';
import type { CliEnv } from '../config/cli-env.config';
import type { AuditEvent, AuditVerification, Page } from '../http/admin-api.types';
import { parsePastInstant, parsePositiveInt } from '../options/option-values.parser';
import { formatTime, printJson, printLine, printTable } from '../output/table.printer';
import { adminClient, examples } from './command-context';

interface AuditOptions {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  target?: string;
  limit?: number;
  verify?: boolean;
  json?: boolean;
}

const MAX_PAGE = 500;

export function registerAuditCommand(program: Command, env: CliEnv): void {
  const audit = program
    .command('audit')
    .description('list audit events, newest first, or verify the hash chain')
    .option('--since <when>', 'events from: a duration ago (1h, 7d) or an ISO date/time', parsePastInstant)
    .option('--until <when>', 'events before: a duration ago or an ISO date/time', parsePastInstant)
    .option('--actor <id>', 'only this actor (admin user id, "master", or key id)')
    .option('--action <action>', 'only this action, e.g. key.create')
    .option('--target <id>', 'only events about this target, e.g. key:key_abc or team:team_abc')
    .option('--limit <n>', 'how many events', parsePositiveInt, 100)
    .option('--verify', 'recompute the hash chain; exit 1 if it is broken')
    .option('--json', 'print JSON')
    .action(async (o: AuditOptions, cmd: Command) => {
      const client = adminClient(cmd, env);
      if (o.verify) {
        const v = await client.json<AuditVerification>('GET', '/audit/verify');
        if (o.json) printJson(v);
        else if (v.ok) printLine(`Audit chain intact: ${v.checked} events verified.`);
        if (!v.ok) {
          throw new CliError(`audit chain broken at event seq ${v.firstBrokenSeq ?? '?'} (after ${v.checked} intact events): the log was altered; investigate before trusting it`);
        }
        return;
      }
      const want = o.limit ?? 100;
      const events: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.json<Page<AuditEvent>>('GET', '/audit', {
          query: { from: o.since, to: o.until, actor: o.actor, action: o.action, target: o.target, limit: Math.min(MAX_PAGE, want - events.length), cursor },
        });
        events.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && events.length < want);
      if (o.json) return printJson(events);
      printTable(
        ['seq', 'time', 'actor', 'action', 'target', 'source ip'],
        events.map((e) => [e.seq, formatTime(e.time), e.actorId ? `${e.actorType}:${e.actorId}` : e.actorType, e.action, e.target, e.sourceIp]),
        'No audit events match.',
      );
    });
  examples(audit, ['llmp audit --since 1h', 'llmp audit --action key.revoke --since 7d --json', 'llmp audit --verify']);
}
