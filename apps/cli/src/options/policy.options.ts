import { Option, type Command } from 'commander';
import { usageError } from '../cli.error';
import type { BudgetPeriod, PolicyFields } from '../http/admin-api.types';
import {
  collectList,
  collectPairs,
  collectTokenLimits,
  parseJsonObject,
  parseMaxChoices,
  parseNonNegativeNumber,
  parsePositiveInt,
} from './option-values.parser';

const PERIODS: BudgetPeriod[] = ['day', 'week', 'month', 'total'];

/** The flags of the policy fields keys and teams share, as commander parses them. */
export interface PolicyOptions {
  models?: string[];
  alias?: Record<string, string>;
  maxTokens?: Record<string, number>;
  rpm?: number;
  tpm?: number;
  parallel?: number;
  maxChoices?: number;
  budget?: number;
  period?: BudgetPeriod;
  metadata?: Record<string, unknown>;
}

export type PolicyBody = Partial<PolicyFields> & { metadata?: Record<string, unknown> };

export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--models <list>', 'allowed models, comma-separated, `*` globs allowed (e.g. gpt-4o,claude-*)', collectList)
    .option('--alias <alias=model>', 'model alias at this level, repeatable or comma-separated (e.g. fast=gpt-4o-mini)', collectPairs)
    .option('--max-tokens <model=n>', 'output-token cap per model, `*` for any other (e.g. gpt-4o=512)', collectTokenLimits)
    .option('--rpm <n>', 'requests per minute', parsePositiveInt)
    .option('--tpm <n>', 'tokens per minute', parsePositiveInt)
    .option('--parallel <n>', 'concurrent requests', parsePositiveInt)
    .option('--max-choices <n>', 'most choices per request (n, best_of, candidateCount), 1..128; default 8', parseMaxChoices)
    .option('--budget <usd>', 'budget in USD per --period', parseNonNegativeNumber)
    .addOption(new Option('--period <period>', 'budget period').choices(PERIODS))
    .option('--metadata <json>', 'free-form JSON object', parseJsonObject);
}

/** Only the fields given on the command line, so an update leaves the others as they are. */
export function policyBody(o: PolicyOptions): PolicyBody {
  if (o.budget !== undefined && o.period === undefined) {
    throw usageError(`--budget needs --period (${PERIODS.join(', ')})`);
  }
  const body: PolicyBody = {};
  if (o.models) body.allowedModels = o.models;
  if (o.alias) body.modelAliases = o.alias;
  if (o.maxTokens) body.perModelMaxTokens = o.maxTokens;
  if (o.rpm !== undefined) body.rpm = o.rpm;
  if (o.tpm !== undefined) body.tpm = o.tpm;
  if (o.parallel !== undefined) body.maxParallel = o.parallel;
  if (o.maxChoices !== undefined) body.maxChoices = o.maxChoices;
  if (o.budget !== undefined) body.budgetUsd = o.budget;
  if (o.period !== undefined) body.budgetPeriod = o.period;
  if (o.metadata) body.metadata = o.metadata;
  return body;
}

/** The policy fields as table rows, shared by `keys show` and `teams show`. */
export function policyRows(p: PolicyFields): [string, string | number | null | undefined][] {
  const budget = p.budgetUsd === null ? null : `$${p.budgetUsd} per ${p.budgetPeriod ?? '?'}`;
  return [
    ['models', p.allowedModels.length ? p.allowedModels.join(', ') : 'any'],
    ['aliases', Object.entries(p.modelAliases).map(([a, t]) => `${a}=${t}`).join(', ')],
    ['max tokens', Object.entries(p.perModelMaxTokens).map(([m, n]) => `${m}=${n}`).join(', ')],
    ['rpm', p.rpm],
    ['tpm', p.tpm],
    ['parallel', p.maxParallel],
    ['max choices', p.maxChoices ?? null],
    ['budget', budget],
  ];
}
