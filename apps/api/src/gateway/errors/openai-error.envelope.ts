import { openAiErrorTypeOf, type LlmpError } from '@llmp/common';

/** OpenAI's error body: `{"error":{"message","type","param","code"}}`, plus the failed attempts for provider errors. */
export function openAiErrorBody(e: LlmpError): Record<string, unknown> {
  const error: Record<string, unknown> = {
    message: e.message,
    type: openAiErrorTypeOf(e.code),
    param: e.details.param ?? null,
    code: e.code,
  };
  if (e.details.data) Object.assign(error, e.details.data);
  return { error };
}

/** Headers every error response carries besides the envelope. */
export function errorHeaders(e: LlmpError, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { ...e.details.headers, 'x-request-id': requestId };
  if (e.details.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(e.details.retryAfterSeconds)));
  return headers;
}
