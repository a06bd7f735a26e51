import { REDACTED } from '../queues/redact-secrets';

/**
 * Fields pino removes from every structured log object before it is serialised: credential headers (as a request
 * object or bare), upstream keys, the master key, passwords and tokens, at the top level and up to two levels down.
 */
const SECRET_FIELDS = [
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'x-management-key',
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
/** pino path syntax: dotted for identifiers, brackets for header names with dashes. */
const at = (prefix: string, f: string): string => (/^[A-Za-z_]\w*$/.test(f) ? `${prefix}${prefix ? '.' : ''}${f}` : `${prefix}["${f}"]`);
export const LOG_REDACT_PATHS: readonly string[] = ['', '*', '*.*'].flatMap((prefix) => SECRET_FIELDS.map((f) => at(prefix, f)));

/**
 * Secret shapes in free text, the last line of defence on every log line (after serialisation): llmp keys (admin
 * included), OpenAI/Anthropic-style `sk-` keys, Google API keys, Bearer tokens and `?key=` / `&key=` query values.
 * None of them can match a `"`, so a scrubbed JSON line stays valid JSON.
 */
const SECRET_SHAPES =
  /llmp_[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9_-]{16,}|\bAIza[A-Za-z0-9_-]{30,}|(?<=[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}|(?<=[?&]key=)[^&\s"\\]+/g;

/** Substrings every secret shape above contains: lines with none of them (nearly all) skip the regex. */
const SHAPE_HINTS = ['llmp_', 'sk-', 'AIza', 'earer', 'key='];

const literals = new Set<string>();

/**
 * Adds an exact secret value (an upstream `apiKey` from the config, the master key) to the line scrubber, so a secret
 * of any shape is removed even where no field name or pattern gives it away. Short values are ignored: they would
 * blank out ordinary words.
 */
export function registerLogSecret(value: string | undefined | null): void {
  if (!value || value.length < 8) return;
  literals.add(value);
}

/** The last-line scrubber: every known secret and every secret-shaped string in `line` replaced by `[redacted]`. */
export function scrubSecrets(line: string): string {
  let out = line;
  // Runs on every log line, access lines included: plain substring checks first, the regex only on a hint.
  for (const hint of SHAPE_HINTS) {
    if (out.includes(hint)) {
      out = out.replace(SECRET_SHAPES, REDACTED);
      break;
    }
  }
  for (const secret of literals) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
