// Generated from apps/admin/openapi.json by `npm run openapi:generate`; do not edit by hand.
/* eslint-disable */

export interface LoginDto {
  email: string;
  password: string;
}

export interface LoginResultDto {
  /** Send as `Authorization: Bearer <token>`. */
  token: string;
  tokenType: "Bearer";
  expiresAt: string;
  role: "admin" | "operator" | "finance" | "viewer";
}

export interface ErrorBodyDto {
  /** Stable machine-readable code (llmp ErrorCode). */
  code: string;
  message: string;
  /** Structured context, e.g. validation problems. */
  details?: {
    [key: string]: unknown;
  };
}

export interface ErrorEnvelopeDto {
  error: ErrorBodyDto;
}

export interface HealthStatusDto {
  status: "ok" | "unavailable";
  checks: {
    [key: string]: "ok" | "down";
  };
}

export interface CreateKeyDto {
  /** Exact names or `*` globs; empty = no restriction at this level. */
  allowedModels?: Array<string>;
  /** Aliases at this level: requested name → target. */
  modelAliases?: {
    [key: string]: string;
  };
  /** Output-token cap per resolved model, `*` for any other. */
  perModelMaxTokens?: {
    [key: string]: number;
  };
  /** Limits of the key × model scope, keyed by resolved model name or `*`. */
  modelLimits?: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  /** Requests per minute; null = unlimited. */
  rpm?: number | null;
  /** Tokens per minute; null = unlimited. */
  tpm?: number | null;
  /** Concurrent requests; null = unlimited. */
  maxParallel?: number | null;
  /** Most choices one request may ask for (`n`, `best_of`, Gemini `candidateCount`); null = not set here (the team's, else 8). */
  maxChoices?: number | null;
  /** Budget in USD per period (at most 6 decimals); null = none. */
  budgetUsd?: number | null;
  budgetPeriod?: ("day" | "week" | "month" | "total") | null;
  name: string;
  teamId?: string | null;
  /** After this instant the key stops working. */
  expiresAt?: string | null;
  /** Free-form JSON (at most 16 KB). */
  metadata?: {
    [key: string]: unknown;
  };
  /** Log this key's request and response bodies (secret-shaped values redacted) at debug level, for debugging one client. Off by default: otherwise no prompt or completion is ever logged. */
  debugLogging?: boolean;
}

export interface CreatedKeyDto {
  id: string;
  /** The secret. Shown once; store it now. */
  key: string;
  keyPrefix: string;
  name: string;
  teamId: string | null;
  allowedModels: Array<string>;
  modelAliases: {
    [key: string]: string;
  };
  perModelMaxTokens: {
    [key: string]: number;
  };
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  maxChoices: number | null;
  budgetUsd: number | null;
  budgetPeriod: ("day" | "week" | "month" | "total") | null;
  expiresAt: string | null;
  metadata: {
    [key: string]: unknown;
  };
  createdAt: string;
}

export interface KeyDto {
  allowedModels: Array<string>;
  modelAliases: {
    [key: string]: string;
  };
  perModelMaxTokens: {
    [key: string]: number;
  };
  modelLimits: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Most choices per request; null = not set here (the team's, else 8). */
  maxChoices: number | null;
  budgetUsd: number | null;
  budgetPeriod: ("day" | "week" | "month" | "total") | null;
  id: string;
  name: string;
  /** `llmp_` + the first characters of the secret, for recognising it. */
  keyPrefix: string;
  teamId: string | null;
  status: "active" | "revoked" | "expired";
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Until when the previous secret of a rotation still works. */
  previousKeyExpiresAt: string | null;
  metadata: {
    [key: string]: unknown;
  };
  /** Whether this key's request and response bodies are logged (redacted), for debugging. */
  debugLogging: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface KeyPageDto {
  data: Array<KeyDto>;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface UpdateKeyDto {
  /** Exact names or `*` globs; empty = no restriction at this level. */
  allowedModels?: Array<string>;
  /** Aliases at this level: requested name → target. */
  modelAliases?: {
    [key: string]: string;
  };
  /** Output-token cap per resolved model, `*` for any other. */
  perModelMaxTokens?: {
    [key: string]: number;
  };
  /** Limits of the key × model scope, keyed by resolved model name or `*`. */
  modelLimits?: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  /** Requests per minute; null = unlimited. */
  rpm?: number | null;
  /** Tokens per minute; null = unlimited. */
  tpm?: number | null;
  /** Concurrent requests; null = unlimited. */
  maxParallel?: number | null;
  /** Most choices one request may ask for (`n`, `best_of`, Gemini `candidateCount`); null = not set here (the team's, else 8). */
  maxChoices?: number | null;
  /** Budget in USD per period (at most 6 decimals); null = none. */
  budgetUsd?: number | null;
  budgetPeriod?: ("day" | "week" | "month" | "total") | null;
  name?: string;
  teamId?: string | null;
  expiresAt?: string | null;
  metadata?: {
    [key: string]: unknown;
  };
  /** Log this key's request and response bodies (secret-shaped values redacted) at debug level, for debugging one client. Off by default: otherwise no prompt or completion is ever logged. */
  debugLogging?: boolean;
}

export interface RotateKeyDto {
  /** How long the old secret keeps working; 0 = it stops at once. */
  gracePeriodSeconds?: number;
}

export interface RotatedKeyDto {
  allowedModels: Array<string>;
  modelAliases: {
    [key: string]: string;
  };
  perModelMaxTokens: {
    [key: string]: number;
  };
  modelLimits: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Most choices per request; null = not set here (the team's, else 8). */
  maxChoices: number | null;
  budgetUsd: number | null;
  budgetPeriod: ("day" | "week" | "month" | "total") | null;
  id: string;
  name: string;
  /** `llmp_` + the first characters of the secret, for recognising it. */
  keyPrefix: string;
  teamId: string | null;
  status: "active" | "revoked" | "expired";
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Until when the previous secret of a rotation still works. */
  previousKeyExpiresAt: string | null;
  metadata: {
    [key: string]: unknown;
  };
  /** Whether this key's request and response bodies are logged (redacted), for debugging. */
  debugLogging: boolean;
  createdAt: string;
  updatedAt: string;
  /** The new secret. */
  key: string;
}

export interface CreateTeamDto {
  /** Exact names or `*` globs; empty = no restriction at this level. */
  allowedModels?: Array<string>;
  /** Aliases at this level: requested name → target. */
  modelAliases?: {
    [key: string]: string;
  };
  /** Output-token cap per resolved model, `*` for any other. */
  perModelMaxTokens?: {
    [key: string]: number;
  };
  /** Limits of the key × model scope, keyed by resolved model name or `*`. */
  modelLimits?: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  /** Requests per minute; null = unlimited. */
  rpm?: number | null;
  /** Tokens per minute; null = unlimited. */
  tpm?: number | null;
  /** Concurrent requests; null = unlimited. */
  maxParallel?: number | null;
  /** Most choices one request may ask for (`n`, `best_of`, Gemini `candidateCount`); null = not set here (the team's, else 8). */
  maxChoices?: number | null;
  /** Budget in USD per period (at most 6 decimals); null = none. */
  budgetUsd?: number | null;
  budgetPeriod?: ("day" | "week" | "month" | "total") | null;
  name: string;
  metadata?: {
    [key: string]: unknown;
  };
}

export interface TeamDto {
  allowedModels: Array<string>;
  modelAliases: {
    [key: string]: string;
  };
  perModelMaxTokens: {
    [key: string]: number;
  };
  modelLimits: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  rpm: number | null;
  tpm: number | null;
  maxParallel: number | null;
  /** Most choices per request; null = not set here (the team's, else 8). */
  maxChoices: number | null;
  budgetUsd: number | null;
  budgetPeriod: ("day" | "week" | "month" | "total") | null;
  id: string;
  name: string;
  metadata: {
    [key: string]: unknown;
  };
  createdAt: string;
  updatedAt: string;
}

export interface UpdateTeamDto {
  /** Exact names or `*` globs; empty = no restriction at this level. */
  allowedModels?: Array<string>;
  /** Aliases at this level: requested name → target. */
  modelAliases?: {
    [key: string]: string;
  };
  /** Output-token cap per resolved model, `*` for any other. */
  perModelMaxTokens?: {
    [key: string]: number;
  };
  /** Limits of the key × model scope, keyed by resolved model name or `*`. */
  modelLimits?: {
    [key: string]: {
      rpm?: number;
      tpm?: number;
    };
  };
  /** Requests per minute; null = unlimited. */
  rpm?: number | null;
  /** Tokens per minute; null = unlimited. */
  tpm?: number | null;
  /** Concurrent requests; null = unlimited. */
  maxParallel?: number | null;
  /** Most choices one request may ask for (`n`, `best_of`, Gemini `candidateCount`); null = not set here (the team's, else 8). */
  maxChoices?: number | null;
  /** Budget in USD per period (at most 6 decimals); null = none. */
  budgetUsd?: number | null;
  budgetPeriod?: ("day" | "week" | "month" | "total") | null;
  name?: string;
  metadata?: {
    [key: string]: unknown;
  };
}

export interface AliasDto {
  alias: string;
  target: string;
  /** `admin` aliases override the config file's. */
  source: "config" | "admin";
}

export interface PutAliasDto {
  /** A model, another alias, or `provider://model`. */
  target: string;
}

export interface ExplainRequestDto {
  keyId: string;
  /** The body a client would send to the data plane (at least `model`). */
  request: {
    [key: string]: unknown;
  };
}

export interface ExplainStepDto {
  stage: "authenticate" | "resolve_model" | "allowlist" | "token_cap" | "price";
  decision: "pass" | "deny" | "skipped";
  reason: string;
  details?: {
    [key: string]: unknown;
  };
  error?: {
    code?: string;
    message?: string;
  };
}

export interface ExplainResultDto {
  keyId: string;
  /** Whether stages 1-4 and the price rule (no unpriced model under a budget) would let the request through (limits and budget balances are not evaluated). */
  allowed: boolean;
  steps: Array<ExplainStepDto>;
  /** The body after the token cap. */
  upstreamBody: {
    [key: string]: unknown;
  } | null;
}

export interface CreateUserDto {
  email: string;
  password: string;
  role: "admin" | "operator" | "finance" | "viewer";
}

export interface UserDto {
  id: string;
  email: string;
  role: "admin" | "operator" | "finance" | "viewer";
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UpdateUserDto {
  role?: "admin" | "operator" | "finance" | "viewer";
  password?: string;
  /** A disabled user cannot log in and their tokens stop working. */
  disabled?: boolean;
}

export interface UsageRowDto {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD, exact decimal string. */
  costUsd: string;
  day?: string;
  keyId?: string | null;
  keyName?: string | null;
  teamId?: string | null;
  teamName?: string | null;
  model?: string;
}

export interface UsageSumsDto {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD, exact decimal string. */
  costUsd: string;
}

export interface UsageReportDto {
  from: string;
  to: string;
  groupBy: Array<string>;
  rows: Array<UsageRowDto>;
  totals: UsageSumsDto;
  /** Models recorded without a price (cost 0). */
  unpricedModels: Array<string>;
}

export interface AuditEventDto {
  /** Sequence number (chain order). */
  seq: string;
  eventId: string;
  time: string;
  actorType: "master" | "admin" | "key" | "anonymous" | "system";
  actorId: string | null;
  action: string;
  target: string | null;
  before: {
    [key: string]: unknown;
  } | null;
  after: {
    [key: string]: unknown;
  } | null;
  requestId: string | null;
  sourceIp: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditPageDto {
  data: Array<AuditEventDto>;
  /** Pass as `cursor` for the next (older) page. */
  nextCursor: string | null;
}

export interface AuditVerificationDto {
  ok: boolean;
  /** Events checked before the first broken link (all of them when ok). */
  checked: number;
  /** Sequence of the first event whose prevHash or hash does not match. */
  firstBrokenSeq?: string;
}

export interface PriceDto {
  model: string;
  /** USD per million input tokens, decimal string. */
  inputPerMillion: string;
  /** USD per million output tokens, decimal string. */
  outputPerMillion: string;
  source: "config" | "override";
}

export interface PutPriceDto {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface ConfigProblemDto {
  /** Line in the file (0 when unknown). */
  line: number;
  path: string;
  message: string;
}

export interface NameChangesDto {
  added: Array<string>;
  removed: Array<string>;
  changed: Array<string>;
}

export interface PricingDto {
  input: number;
  output: number;
}

export interface PriceChangeDto {
  model: string;
  before: PricingDto | null;
  after: PricingDto | null;
}

export interface ConfigChangeSummaryDto {
  providers: NameChangesDto;
  /** Models whose targets were added, removed or changed. */
  models: NameChangesDto;
  aliases: NameChangesDto;
  prices: Array<PriceChangeDto>;
}

export interface ConfigReloadResultDto {
  status: "applied" | "unchanged" | "rejected";
  source: string;
  providers: number;
  models: number;
  problems: Array<ConfigProblemDto>;
  /** Changed sections that only apply after a restart (server, auth, routing, limits). */
  restartRequired: Array<string>;
  /** What changed, when the reload was applied. */
  changes: ConfigChangeSummaryDto | null;
  /** Processes subscribed to the reload channel that received the request. */
  notified: number;
}

export interface ModelTargetDto {
  provider: string;
  /** The provider's own model id. */
  model: string;
  /** Lower is tried first. */
  priority: number;
  /** Share of traffic among targets of the same priority. */
  weight: number;
}

export interface ModelPricingDto {
  input: number;
  output: number;
}

export interface ModelRouteDto {
  name: string;
  targets: Array<ModelTargetDto>;
  pricing?: ModelPricingDto;
}

export interface CooldownDto {
  provider: string;
  model: string;
  /** When the target is tried again. */
  until: string;
}

export interface PlaygroundChatDto {
  /** The secret of the key to act as; used for this call only, never stored or logged. */
  key: string;
  /** An OpenAI chat completions body, passed to /v1/chat/completions unchanged. */
  request: {
    [key: string]: unknown;
  };
}

/** Every REST operation: "METHOD /path" → its path params, query, body and success response. */
export interface Operations {
  /** Log in with email and password; returns a short-lived bearer token */
  "POST /admin/v1/auth/login": {
    params: never;
    query: never;
    body: LoginDto;
    response: LoginResultDto;
  };
  /** Liveness: the process answers */
  "GET /health/live": {
    params: never;
    query: never;
    body: never;
    response: {
      status?: string;
    };
  };
  /** Readiness: Postgres and Redis answer */
  "GET /health/ready": {
    params: never;
    query: never;
    body: never;
    response: HealthStatusDto;
  };
  /** List keys (newest first, cursor pagination; never secrets or hashes) */
  "GET /admin/v1/keys": {
    params: never;
    query: { teamId?: string; status?: "active" | "revoked" | "expired"; q?: string; limit?: number; cursor?: string };
    body: never;
    response: KeyPageDto;
  };
  /** Create a virtual key (the secret is returned once) */
  "POST /admin/v1/keys": {
    params: never;
    query: never;
    body: CreateKeyDto;
    response: CreatedKeyDto;
  };
  /** Get one key */
  "GET /admin/v1/keys/{id}": {
    params: { id: string };
    query: never;
    body: never;
    response: KeyDto;
  };
  /** Change a key's name, team, policy, expiry or metadata */
  "PATCH /admin/v1/keys/{id}": {
    params: { id: string };
    query: never;
    body: UpdateKeyDto;
    response: KeyDto;
  };
  /** Revoke a key (effective on every data plane replica within a second) */
  "POST /admin/v1/keys/{id}/revoke": {
    params: { id: string };
    query: never;
    body: never;
    response: KeyDto;
  };
  /** Rotate a key: a new secret under the same id, the old one kept for a grace period */
  "POST /admin/v1/keys/{id}/rotate": {
    params: { id: string };
    query: never;
    body: RotateKeyDto;
    response: RotatedKeyDto;
  };
  /** List teams */
  "GET /admin/v1/teams": {
    params: never;
    query: never;
    body: never;
    response: Array<TeamDto>;
  };
  /** Create a team */
  "POST /admin/v1/teams": {
    params: never;
    query: never;
    body: CreateTeamDto;
    response: TeamDto;
  };
  /** Get one team */
  "GET /admin/v1/teams/{id}": {
    params: { id: string };
    query: never;
    body: never;
    response: TeamDto;
  };
  /** Change a team's name, policy or metadata (applies to its keys within a second) */
  "PATCH /admin/v1/teams/{id}": {
    params: { id: string };
    query: never;
    body: UpdateTeamDto;
    response: TeamDto;
  };
  /** Delete a team that has no keys */
  "DELETE /admin/v1/teams/{id}": {
    params: { id: string };
    query: never;
    body: never;
    response: void;
  };
  /** List global aliases (config file and admin-managed) */
  "GET /admin/v1/aliases": {
    params: never;
    query: never;
    body: never;
    response: Array<AliasDto>;
  };
  /** Create or replace a global alias */
  "PUT /admin/v1/aliases/{alias}": {
    params: { alias: string };
    query: never;
    body: PutAliasDto;
    response: AliasDto;
  };
  /** Delete an admin-managed global alias */
  "DELETE /admin/v1/aliases/{alias}": {
    params: { alias: string };
    query: never;
    body: never;
    response: void;
  };
  /** Explain what each policy stage would decide for a key and a request, without calling a provider */
  "POST /admin/v1/policy/explain": {
    params: never;
    query: never;
    body: ExplainRequestDto;
    response: ExplainResultDto;
  };
  /** List admin users */
  "GET /admin/v1/users": {
    params: never;
    query: never;
    body: never;
    response: Array<UserDto>;
  };
  /** Create an admin user */
  "POST /admin/v1/users": {
    params: never;
    query: never;
    body: CreateUserDto;
    response: UserDto;
  };
  /** Get one admin user */
  "GET /admin/v1/users/{id}": {
    params: { id: string };
    query: never;
    body: never;
    response: UserDto;
  };
  /** Change an admin user's role or password, or disable them */
  "PATCH /admin/v1/users/{id}": {
    params: { id: string };
    query: never;
    body: UpdateUserDto;
    response: UserDto;
  };
  /** Delete an admin user */
  "DELETE /admin/v1/users/{id}": {
    params: { id: string };
    query: never;
    body: never;
    response: void;
  };
  /** Usage and cost report grouped by day, key, team and/or model (JSON or streamed CSV) */
  "GET /admin/v1/usage": {
    params: never;
    query: { from?: string; to?: string; groupBy?: string; keyId?: string; teamId?: string; model?: string; format?: "json" | "csv" };
    body: never;
    response: UsageReportDto;
  };
  /** Raw usage records, newest first, with filters and cursor pagination */
  "GET /admin/v1/usage/records": {
    params: never;
    query: { from?: string; to?: string; keyId?: string; teamId?: string; model?: string; limit?: number; cursor?: string };
    body: never;
    response: void;
  };
  /** List audit events, newest first, with filters and cursor pagination */
  "GET /admin/v1/audit": {
    params: never;
    query: { from?: string; to?: string; actor?: string; action?: string; target?: string; limit?: number; cursor?: string };
    body: never;
    response: AuditPageDto;
  };
  /** Recompute the hash chain and report the first broken link */
  "GET /admin/v1/audit/verify": {
    params: never;
    query: never;
    body: never;
    response: AuditVerificationDto;
  };
  /** Effective per-model prices (config file, overridden by admin prices) */
  "GET /admin/v1/prices": {
    params: never;
    query: never;
    body: never;
    response: Array<PriceDto>;
  };
  /** The effective price of one model */
  "GET /admin/v1/prices/{model}": {
    params: { model: string };
    query: never;
    body: never;
    response: PriceDto;
  };
  /** Override a model price (audited; every replica reloads within a second) */
  "PUT /admin/v1/prices/{model}": {
    params: { model: string };
    query: never;
    body: PutPriceDto;
    response: PriceDto;
  };
  /** Re-read llmp.config.yaml (providers, models, prices) here and on every data plane replica, without dropping requests */
  "POST /admin/v1/config/reload": {
    params: never;
    query: never;
    body: never;
    response: ConfigReloadResultDto;
  };
  /** Configured model routes with their targets and configured prices */
  "GET /admin/v1/models": {
    params: never;
    query: never;
    body: never;
    response: Array<ModelRouteDto>;
  };
  /** Provider targets currently cooling down after failures */
  "GET /admin/v1/models/cooldowns": {
    params: never;
    query: never;
    body: never;
    response: Array<CooldownDto>;
  };
  /** Chat through the data plane as a virtual key (the data plane's answer and status, streamed as it comes) */
  "POST /admin/v1/playground/chat/completions": {
    params: never;
    query: never;
    body: PlaygroundChatDto;
    response: void;
  };
}
