import { ErrorCode, jsonDepth, LlmpError, MAX_JSON_DEPTH, type Json } from '@llmp/common';

/** A request body as a JSON object of bounded depth, or a 400 (every surface's ingress checks bodies here). */
export function requireJsonObject(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new LlmpError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    throw new LlmpError(ErrorCode.InvalidRequest, `The request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`);
  }
  return body as Json;
}
