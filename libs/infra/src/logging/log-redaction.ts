import { REDACTED } from '../queues/redact-secrets';

/**
 * Fields pino removes from every structured log object before it is serialised: credential headers (as a request
 * object or bare), upstream keys, the master key, passwords and tokens, at the top level and up to two levels down.
 */
const SECRET_FIELDS = [
  'authorization',
  '"x-api-key"',
  '"api-key"',
  '"x-goog-api-key"',
  '"x-management-key"',
  'cookie',
  'apiKey',
  'api_key',
  'masterKey',
  'password',
  'passwordHash',
  'keyHash',
  'secret',
  'token',
  'key',
];
export const LOG_REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
];

/**
 * Secret shapes in free text, the last line of defence on every log line (after serialisation): llmp keys (admin
 * included), OpenAI/Anthropic-style `sk-` keys, Google API keys, Bearer tokens and `?key=` / `&key=` query values.
 * None of them can match a `"`, so a scrubbed JSON line stays valid JSON.
 */
const SECRET_SHAPES =
  /llmp_[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9_-]{16,}|\bAIza[A-Za-z0-9_-]{30,}|(?<=[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}|(?<=[?&]key=)[^&\s"\\]+/g;

const literals = new Set<string>();
let literalPattern: RegExp | null = null;

/**
 * Adds an exact secret value (an upstream `apiKey` from the config, the master key) to the line scrubber, so a secret
 * of any shape is removed even where no field name or pattern gives it away. Short values are ignored: they would
 * blank out ordinary words.
 */
export function registerLogSecret(value: string | undefined | null): void {
  if (!value || value.length < 8 || literals.has(value)) return;
  literals.add(value);
  literalPattern = new RegExp([...literals].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
}

/** The last-line scrubber: every known secret and every secret-shaped string in `line` replaced by `[redacted]`. */
export function scrubSecrets(line: string): string {
  let out = line.replace(SECRET_SHAPES, REDACTED);
  if (literalPattern) out = out.replace(literalPattern, REDACTED);
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
