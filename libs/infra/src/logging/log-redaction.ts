/**
 * Field paths pino removes from every structured log object before it is serialised: credential headers (as a request
 * object or bare), upstream keys, the master key, passwords and tokens, at the top level and up to two levels down.
 * The serialised line is then scrubbed by `scrubLogLine` (@llmp/common), which removes secrets by shape and value.
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
