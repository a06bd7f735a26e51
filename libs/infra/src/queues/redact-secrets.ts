/** Field names whose values are credentials or their hashes; they never leave the process in a job or audit row. */
const SECRET_FIELD = /(hash|secret|password|passwd|token|authorization|credential|apikey|api_key|plaintext|privatekey)$/i;
/** Counters and limits named like tokens are numbers, never secrets. */
const SECRET_FIELD_EXCEPTION = /(tokens|maxtokens|tpm)$/i;
/** llmp keys and common upstream key shapes inside free text. */
const SECRET_VALUE = /\b(llmp_[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9_-]{20,}|AIza[A-Za-z0-9_-]{30,})/g;

export const REDACTED = '[redacted]';

/** A deep copy of `value` with secret-named fields and secret-looking substrings replaced. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return value.replace(SECRET_VALUE, REDACTED);
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
