import { ErrorCode, LlmpError, type Json } from '@llmp/common';

/**
 * A request body as a JSON object, or a 400 (every surface's ingress checks bodies here). Its depth is already
 * bounded: the body parser (bootstrap.ts) refuses text nested past MAX_JSON_DEPTH before parsing it.
 */
export function requireJsonObject(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new LlmpError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  return body as Json;
}
