import { Option, type Command } from 'commander';
import type { CliEnv } from '../config/cli-env.config';
import type { CreatedKey, KeyView, Page, RotatedKey } from '../http/admin-api.types';
import { parseDuration, parseFutureInstant, parsePositiveInt } from '../options/option-values.parser';
import { addPolicyOptions, policyBody, policyRows, type PolicyOptions } from '../options/policy.options';
import { formatList, formatTime, printJson, printLine, printRecord, printTable } from '../output/table.printer';
import { adminClient, examples } from './command-context';

interface CreateOptions extends PolicyOptions {
  name: string;
  team?: string;
  expires?: string;
  json?: boolean;
  quiet?: boolean;
}

interface ListOptions {
  team?: string;
  status?: string;
  search?: string;
  limit?: number;
  all?: boolean;
  json?: boolean;
}

interface RotateOptions {
  grace?: number;
  idempotencyKey?: string;
  json?: boolean;
  quiet?: boolean;
}

const PAGE_SIZE = 200;

function printSecret(label: string, id: string, secret: string): void {
  printLine(`${label} ${id}`);
  printLine('Secret (shown once, store it now):');
  printLine(`  ${secret}`);
}

export function showKey(k: KeyView): void {
  printRecord([
    ['id', k.id],
    ['name', k.name],
    ['prefix', k.keyPrefix],
    ['team', k.teamId],
    ['status', k.status],
    ...policyRows(k),
    ['expires', formatTime(k.expiresAt)],
    ['revoked', formatTime(k.revokedAt)],
    ['last used', formatTime(k.lastUsedAt)],
    ['old secret until', formatTime(k.previousKeyExpiresAt)],
    ['metadata', Object.keys(k.metadata).length ? JSON.stringify(k.metadata) : undefined],
    ['created', formatTime(k.createdAt)],
  ]);
}

export function registerKeysCommand(program: Command, env: CliEnv): void {
  const keys = program.command('keys').description('create, list, show, revoke and rotate virtual keys');

  const create = addPolicyOptions(
    keys
      .command('create')
      .description('create a virtual key and print its secret (shown only this once)')
      .requiredOption('--name <name>', 'a name people recognise, e.g. the service using it')
      .option('--team <teamId>', 'the team the key belongs to (its policy narrows the team\'s)')
      .option('--expires <when>', 'expiry: a duration from now (30d) or an ISO date', parseFutureInstant),
  )
    .option('-q, --quiet', 'print only the secret (for scripts)')
    .option('--json', 'print the created key as JSON (includes the secret)')
    .action(async (o: CreateOptions, cmd: Command) => {
      const body = { name: o.name, ...policyBody(o), ...(o.team && { teamId: o.team }), ...(o.expires && { expiresAt: o.expires }) };
      const created = await adminClient(cmd, env).json<CreatedKey>('POST', '/keys', { body });
      if (o.json) return printJson(created);
      if (o.quiet) return printLine(created.key);
      printSecret('Created key', `${created.id} (${created.name})`, created.key);
    });
  examples(create, [
    'llmp keys create --name ci-pipeline',
    'llmp keys create --name batch --team team_abc --models gpt-4o,gpt-4o-mini* --alias fast=gpt-4o-mini \\\n      --max-tokens gpt-4o=512 --rpm 60 --tpm 100000 --budget 50 --period month --expires 30d',
    'export LLMP_KEY=$(llmp keys create --name smoke --quiet)',
  ]);

  const list = keys
    .command('list')
    .alias('ls')
    .description('list keys, newest first (never secrets)')
    .option('--team <teamId>', 'only this team\'s keys')
    .addOption(new Option('--status <status>', 'only keys in this state').choices(['active', 'revoked', 'expired']))
    .option('--search <text>', 'case-insensitive substring of the name')
    .option('--limit <n>', `how many (at most ${PAGE_SIZE} per request)`, parsePositiveInt, 50)
    .option('--all', 'every matching key (follows pages)')
    .option('--json', 'print JSON')
    .action(async (o: ListOptions, cmd: Command) => {
      const client = adminClient(cmd, env);
      const want = o.all ? Infinity : (o.limit ?? 50);
      const rows: KeyView[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.json<Page<KeyView>>('GET', '/keys', {
          query: { teamId: o.team, status: o.status, q: o.search, limit: Math.min(PAGE_SIZE, want - rows.length), cursor },
        });
        rows.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && rows.length < want);
      if (o.json) return printJson(rows);
      printTable(
        ['id', 'name', 'prefix', 'team', 'status', 'models', 'rpm', 'tpm', 'budget', 'expires', 'last used'],
        rows.map((k) => [
          k.id,
          k.name,
          k.keyPrefix,
          k.teamId,
          k.status,
          formatList(k.allowedModels) ?? 'any',
          k.rpm,
          k.tpm,
          k.budgetUsd === null ? null : `$${k.budgetUsd}/${k.budgetPeriod ?? '?'}`,
          formatTime(k.expiresAt),
          formatTime(k.lastUsedAt),
        ]),
        'No keys. Create one with `llmp keys create --name <name>`.',
      );
    });
  examples(list, ['llmp keys list', 'llmp keys list --team team_abc --status active', 'llmp keys list --all --json | jq -r ".[].id"']);

  const show = keys
    .command('show')
    .description('show one key')
    .argument('<id>', 'key id (key_…)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const key = await adminClient(cmd, env).json<KeyView>('GET', `/keys/${encodeURIComponent(id)}`);
      if (o.json) return printJson(key);
      showKey(key);
    });
  examples(show, ['llmp keys show key_3q2abc', 'llmp keys show key_3q2abc --json']);

  const revoke = keys
    .command('revoke')
    .description('revoke a key (every gateway replica refuses it within a second)')
    .argument('<id>', 'key id (key_…)')
    .option('--json', 'print the revoked key as JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const key = await adminClient(cmd, env).json<KeyView>('POST', `/keys/${encodeURIComponent(id)}/revoke`);
      if (o.json) return printJson(key);
      printLine(`Revoked key ${key.id} (${key.name}) at ${formatTime(key.revokedAt) ?? 'now'}`);
    });
  examples(revoke, ['llmp keys revoke key_3q2abc']);

  const rotate = keys
    .command('rotate')
    .description('give a key a new secret; the old one keeps working for --grace')
    .argument('<id>', 'key id (key_…)')
    .option('--grace <duration>', 'how long the old secret keeps working (e.g. 10m, 1d; default: stops at once)', parseDuration)
    .option('--idempotency-key <value>', 'retrying with the same value returns the same new secret')
    .option('-q, --quiet', 'print only the new secret (for scripts)')
    .option('--json', 'print the rotated key as JSON (includes the new secret)')
    .action(async (id: string, o: RotateOptions, cmd: Command) => {
      const body = o.grace === undefined ? {} : { gracePeriodSeconds: Math.round(o.grace / 1000) };
      const headers = o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : undefined;
      const key = await adminClient(cmd, env).json<RotatedKey>('POST', `/keys/${encodeURIComponent(id)}/rotate`, { body, headers });
      if (o.json) return printJson(key);
      if (o.quiet) return printLine(key.key);
      printSecret('Rotated key', `${key.id} (${key.name})`, key.key);
      if (key.previousKeyExpiresAt) printLine(`The old secret works until ${formatTime(key.previousKeyExpiresAt)}.`);
    });
  examples(rotate, ['llmp keys rotate key_3q2abc', 'llmp keys rotate key_3q2abc --grace 1h --idempotency-key deploy-42']);
}
