import type { CreateKeyDto, KeyDto, TeamDto, UpdateKeyDto } from '../api/schema.gen';

export type BudgetPeriod = NonNullable<KeyDto['budgetPeriod']>;

/** The policy editor's state: every field as the user typed it (strings), converted only when valid. */
export interface PolicyFormValues {
  name: string;
  teamId: string;
  /** One model name or glob per line. */
  allowedModels: string;
  /** `alias = target`, one per line. */
  modelAliases: string;
  /** `model = tokens`, one per line (`*` for any other model). */
  perModelMaxTokens: string;
  rpm: string;
  tpm: string;
  maxParallel: string;
  /** Most choices (`n`, `best_of`, Gemini `candidateCount`) per request, 1..128; empty = not set here. */
  maxChoices: string;
  budgetUsd: string;
  budgetPeriod: BudgetPeriod | '';
  /** `YYYY-MM-DDTHH:mm` from a datetime-local input, or empty. */
  expiresAt: string;
}

export type PolicyFormErrors = Partial<Record<keyof PolicyFormValues, string>>;

export const EMPTY_POLICY_FORM: PolicyFormValues = {
  name: '',
  teamId: '',
  allowedModels: '',
  modelAliases: '',
  perModelMaxTokens: '',
  rpm: '',
  tpm: '',
  maxParallel: '',
  maxChoices: '',
  budgetUsd: '',
  budgetPeriod: '',
  expiresAt: '',
};

function lines(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Parses `a = b` lines; returns the pairs or the first bad line. */
export function parsePairs(text: string): { pairs: [string, string][] } | { error: string } {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = /^(.+?)\s*(?:=|:|→|->)\s*(.+)$/.exec(line);
    if (!m || !m[1] || !m[2]) return { error: `"${line}" is not "name = value"` };
    pairs.push([m[1].trim(), m[2].trim()]);
  }
  return { pairs };
}

/** The bounds the server puts on `maxChoices`. */
export const MAX_CHOICES_MIN = 1;
export const MAX_CHOICES_MAX = 128;
/** What the proxy applies when neither the key nor its team sets `maxChoices`. */
export const MAX_CHOICES_DEFAULT = 8;

function positiveInt(raw: string): number | null | 'bad' {
  if (!raw.trim()) return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : 'bad';
}

/** A model pattern the server accepts: a name or a `*` glob, no spaces, 1..256 characters. */
export function isModelPattern(p: string): boolean {
  return p.length >= 1 && p.length <= 256 && !/\s/.test(p);
}

/** Validates the whole form; empty object = valid. Mirrors the server's DTO rules so most errors never leave the page. */
export function validatePolicyForm(v: PolicyFormValues, opts: { requireName: boolean }): PolicyFormErrors {
  const e: PolicyFormErrors = {};
  if (opts.requireName && !v.name.trim()) e.name = 'A name is required';
  if (v.name.length > 200) e.name = 'At most 200 characters';
  const bad = lines(v.allowedModels).find((p) => !isModelPattern(p));
  if (bad !== undefined) e.allowedModels = `"${bad}" is not a model name or glob`;
  const aliases = parsePairs(v.modelAliases);
  if ('error' in aliases) e.modelAliases = aliases.error;
  const caps = parsePairs(v.perModelMaxTokens);
  if ('error' in caps) e.perModelMaxTokens = caps.error;
  else {
    const badCap = caps.pairs.find(([, n]) => positiveInt(n) === 'bad' || positiveInt(n) === null);
    if (badCap) e.perModelMaxTokens = `${badCap[0]}: "${badCap[1]}" is not a positive whole number`;
  }
  for (const f of ['rpm', 'tpm', 'maxParallel'] as const) {
    if (positiveInt(v[f]) === 'bad') e[f] = 'A whole number ≥ 1, or empty for unlimited';
  }
  const choices = positiveInt(v.maxChoices);
  if (choices === 'bad' || (choices !== null && choices > MAX_CHOICES_MAX)) {
    e.maxChoices = `A whole number from ${MAX_CHOICES_MIN} to ${MAX_CHOICES_MAX}, or empty for the default (the team's, else ${MAX_CHOICES_DEFAULT})`;
  }
  if (v.budgetUsd.trim()) {
    const b = Number(v.budgetUsd);
    if (!Number.isFinite(b) || b < 0) e.budgetUsd = 'A non-negative amount in USD';
    else if (!v.budgetPeriod) e.budgetPeriod = 'Pick the period the budget applies to';
  }
  if (v.expiresAt && Number.isNaN(new Date(v.expiresAt).getTime())) e.expiresAt = 'Not a valid date';
  return e;
}

function toInt(raw: string): number | null {
  const n = positiveInt(raw);
  return n === 'bad' ? null : n;
}

/** The request body for a valid form (call validatePolicyForm first). Empty fields clear limits (null). */
export function policyFormToBody(v: PolicyFormValues): UpdateKeyDto & CreateKeyDto {
  const aliases = parsePairs(v.modelAliases);
  const caps = parsePairs(v.perModelMaxTokens);
  return {
    name: v.name.trim(),
    teamId: v.teamId || null,
    allowedModels: lines(v.allowedModels),
    modelAliases: 'pairs' in aliases ? Object.fromEntries(aliases.pairs) : {},
    perModelMaxTokens: 'pairs' in caps ? Object.fromEntries(caps.pairs.map(([m, n]) => [m, Number(n)])) : {},
    rpm: toInt(v.rpm),
    tpm: toInt(v.tpm),
    maxParallel: toInt(v.maxParallel),
    maxChoices: toInt(v.maxChoices),
    budgetUsd: v.budgetUsd.trim() ? Number(v.budgetUsd) : null,
    budgetPeriod: v.budgetUsd.trim() && v.budgetPeriod ? v.budgetPeriod : null,
    expiresAt: v.expiresAt ? new Date(v.expiresAt).toISOString() : null,
  };
}

/** The form for an existing key or team. */
export function policyFormFrom(x: KeyDto | TeamDto): PolicyFormValues {
  const expires = 'expiresAt' in x && x.expiresAt ? toLocalInput(x.expiresAt) : '';
  return {
    name: x.name,
    teamId: 'teamId' in x ? (x.teamId ?? '') : '',
    allowedModels: x.allowedModels.join('\n'),
    modelAliases: Object.entries(x.modelAliases).map(([a, t]) => `${a} = ${t}`).join('\n'),
    perModelMaxTokens: Object.entries(x.perModelMaxTokens).map(([m, n]) => `${m} = ${n}`).join('\n'),
    rpm: x.rpm?.toString() ?? '',
    tpm: x.tpm?.toString() ?? '',
    maxParallel: x.maxParallel?.toString() ?? '',
    maxChoices: x.maxChoices?.toString() ?? '',
    budgetUsd: x.budgetUsd?.toString() ?? '',
    budgetPeriod: x.budgetPeriod ?? '',
    expiresAt: expires,
  };
}

/** ISO instant → the local `YYYY-MM-DDTHH:mm` a datetime-local input shows. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
