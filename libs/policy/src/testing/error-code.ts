import { type ErrorCode, LlmpError } from '@llmp/common';

/** The LlmpError code `fn` throws, or null when it returns or throws something else. */
export function codeOf(fn: () => unknown): ErrorCode | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof LlmpError ? e.code : null;
  }
}
