import { ErrorCode, LlmpError } from '@llmp/common';

/**
 * The longest model name a client may send, on every surface (body `model`, Gemini's path). The name reaches the
 * ledger (an indexed column and the rollup key), audit events, log lines, metrics and Redis keys; configured names
 * and `provider://model` forms are far shorter, and a longer one only ever came from an attacker.
 */
export const MAX_MODEL_CHARS = 256;

/** The model name, or a 400 `invalid_request_error` naming `model` (in the caller's envelope, by the filter). */
export function boundedModelName(model: string): string {
  if (model.length > MAX_MODEL_CHARS) {
    throw new LlmpError(ErrorCode.InvalidRequest, `model must be at most ${MAX_MODEL_CHARS} characters (got ${model.length})`, { param: 'model' });
  }
  return model;
}
