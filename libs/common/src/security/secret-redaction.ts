import type { GatewayConfig } from '../contracts/gateway-config';

/**
 * The one secret scrubber of llmp: log lines, queued jobs and audit payloads, and every upstream error text that can
 * reach a client all go through it, so a secret blanked in one place is blanked in all of them.
 *
 * Two kinds of secret are removed:
 * - by shape: llmp keys (`llmp_…`, the `llmp_admin_…` master key), admin session tokens (`llmpadm_…`), OpenAI and
 *   Anthropic style keys (`sk-…`, `sk-ant-…`, `rk-…`), Google API keys (`AIza…`) and OAuth tokens (`ya29.…`), AWS
 *   access key ids (`AKIA…`/`ASIA…`), JWTs, the credential after `Bearer`/`Basic`, the value of an
 *   `Authorization`/`x-api-key` header written out as text, and `?key=` style query values;
 * - by exact value: every secret registered here (each provider's `apiKey` and `headers` values, across all
 *   providers, and the master key), also in their JSON-escaped, URL-encoded and base64 forms.
 *
 * No shape can match a `"` or a `\`, so a scrubbed JSON text stays valid JSON.
 */
export const REDACTED = '[redacted]';

const CRED = '[A-Za-z0-9._~+/=-]';
const SECRET_SHAPES = new RegExp(
  [
    'llmp(?:adm)?_[A-Za-z0-9_-]{20,}',
    '\\b(?:sk|rk)[-_][A-Za-z0-9_-]{16,}',
    '\\bAIza[A-Za-z0-9_-]{30,}',
    '\\bya29\\.[A-Za-z0-9_-]{20,}',
    '\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b',
    '\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}',
    `(?<=\\b(?:[Bb]earer|BEARER|[Bb]asic|BASIC)\\s+)${CRED}{8,}`,
    // A credential header echoed as text (`"authorization": "…"`, `x-api-key: …`) without a scheme word.
    `(?<=\\b(?:[Aa]uthorization|AUTHORIZATION|[Xx]-[Aa]pi-[Kk]ey|X-API-KEY|[Aa]pi-[Kk]ey|[Xx]-[Gg]oog-[Aa]pi-[Kk]ey)\\\\?["']?\\s*[:=]\\s*\\\\?["']?)(?!(?:[Bb]earer|BEARER|[Bb]asic|BASIC)\\s)[^\\s"'\\\\,;}]{8,}`,
    '(?<=[?&](?:key|api_key|apikey|access_token|token)=)[^&\\s"\\\\]+',
  ].join('|'),
  'g',
);

/**
 * Matches wherever a shape above could start (each shape contains one of these): text without a match (nearly every
 * log line) skips the full regex. One regex test costs about what five `includes` calls do.
 */
const SHAPE_HINT = /llmp|[sr]k[-_]|AIza|ya29\.|AKIA|ASIA|eyJ|[Bb]earer|BEARER|[Bb]asic|BASIC|[Aa]uthorization|AUTHORIZATION|[Aa]pi-[Kk]ey|API-KEY|key=|token=/;

/** Shorter values would blank ordinary words; no real credential is this short. */
const MIN_SECRET_CHARS = 8;

/** Process secrets (the master key): kept for the life of the process. */
const processSecrets = new Set<string>();
/**
 * Secrets of the live config and of the one before it: a request that started before a reload may still be answered
 * with an echo of the old key. Older generations are dropped.
 */
let configSecrets = new Set<string>();
let previousConfigSecrets = new Set<string>();
/** Every form of every secret above, longest first so a secret containing another is blanked whole. */
let literals: string[] = [];
/** The forms a log line can hold (as is and JSON-escaped), for the per-line scrubber. */
let lineLiterals: string[] = [];

/** Adds a secret for the life of the process (the master key). */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_CHARS || processSecrets.has(value)) return;
  processSecrets.add(value);
  rebuild();
}

/** Replaces the config's secret set (each provider's `apiKey` and header values); call on load and every reload. */
export function setConfigSecrets(config: Pick<GatewayConfig, 'providers'>): void {
  previousConfigSecrets = configSecrets;
  configSecrets = new Set(configSecretValues(config));
  rebuild();
}

/** The credential values of a config: every provider's `apiKey` and `headers` values, and a header's token part. */
export function configSecretValues(config: Pick<GatewayConfig, 'providers'>): string[] {
  const out: string[] = [];
  for (const p of config.providers) {
    if (p.apiKey) out.push(p.apiKey);
    for (const v of Object.values(p.headers ?? {})) {
      if (typeof v !== 'string') continue;
      out.push(v);
      // `Authorization: Bearer <token>` in `headers`: the token alone may be echoed too.
      const scheme = /^\s*(?:bearer|basic)\s+(\S+)\s*$/i.exec(v);
      if (scheme) out.push(scheme[1]);
    }
  }
  return out.filter((v) => v.length >= MIN_SECRET_CHARS);
}

function rebuild(): void {
  const forms = new Set<string>();
  const lineForms = new Set<string>();
  for (const s of [...processSecrets, ...configSecrets, ...previousConfigSecrets]) {
    for (const f of formsOf(s)) forms.add(f);
    lineForms.add(s).add(JSON.stringify(s).slice(1, -1));
  }
  const longestFirst = (a: string, b: string): number => b.length - a.length;
  literals = [...forms].sort(longestFirst);
  lineLiterals = [...lineForms].filter((f) => f.length >= MIN_SECRET_CHARS).sort(longestFirst);
}

/**
 * The forms a secret is echoed in: as is, JSON-escaped (once and twice), URL-encoded, and base64 (standard and URL
 * alphabet) at each of the three byte alignments it can have inside a longer encoded text (`user:secret` in Basic auth), keeping only
 * the characters that depend on the secret's bytes alone.
 */
function formsOf(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  // Escaped twice: a JSON error body quoting a JSON text (an upstream echoing the request body it received).
  const forms = [secret, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(secret)];
  const bytes = Buffer.from(secret, 'utf8');
  for (let lead = 0; lead < 3; lead++) {
    const padded = Buffer.concat([Buffer.alloc(lead), bytes]);
    const whole = Math.floor(padded.length / 3) * 4;
    const from = lead ? 4 : 0;
    for (const alphabet of ['base64', 'base64url'] as const) {
      const fragment = padded.toString(alphabet).slice(from, whole);
      if (fragment.length >= MIN_SECRET_CHARS) forms.push(fragment);
    }
  }
  return forms.filter((f) => f.length >= MIN_SECRET_CHARS);
}

/**
 * `text` with every registered secret (in every form) and every secret-shaped string replaced by `[redacted]`: for
 * upstream text on its way to a client, queued jobs and audit payloads.
 */
export function scrubSecrets(text: string): string {
  return scrub(text, literals);
}

/**
 * The per-line scrubber of the logs: the same shapes, and registered secrets as they are and JSON-escaped (the forms
 * a serialised line holds). It runs on every line, access lines included, so it skips the encoded forms: upstream
 * text, the one source of those, is scrubbed in full (`scrubSecrets`) where it enters llmp.
 */
export function scrubLogLine(line: string): string {
  return scrub(line, lineLiterals);
}

/**
 * A successful upstream answer with the registered secrets (as they are and JSON-escaped) replaced, and nothing else:
 * an answer is the model's output, which may rightly hold `sk-…`-shaped examples, so shapes are not applied. Costs a
 * few `includes` per answer or stream event, so it can run on every one.
 */
export function scrubEchoedSecrets(text: string): string {
  for (let i = 0; i < lineLiterals.length; i++) {
    if (text.includes(lineLiterals[i])) return scrubFound(text);
  }
  return text;
}

function scrubFound(text: string): string {
  let out = text;
  for (const secret of lineLiterals) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function scrub(text: string, known: readonly string[]): string {
  let out = text;
  // Known values first: a shape (`Bearer …`) could otherwise blank part of one and leave the rest unrecognisable.
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  if (SHAPE_HINT.test(out)) out = out.replace(SECRET_SHAPES, REDACTED);
  return out;
}

/** Field names whose values are credentials or their hashes; they never leave the process in a job or audit row. */
const SECRET_FIELD = /(hash|secret|password|passwd|token|authorization|credential|apikey|api_key|plaintext|privatekey)$/i;
/** Counters and limits named like tokens are numbers, never secrets. */
const SECRET_FIELD_EXCEPTION = /(tokens|maxtokens|tpm)$/i;

/** A deep copy of `value` with secret-named fields replaced and every string scrubbed (`scrubSecrets`). */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return scrubSecrets(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const secretName = SECRET_FIELD.test(k) && !SECRET_FIELD_EXCEPTION.test(k);
      out[k] = secretName && v !== null && v !== undefined ? REDACTED : redactSecrets(v, depth + 1);
    }
    return out;
  }
  return value;
}
