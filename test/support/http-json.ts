/** A response read whole: status, headers, the body as text and as JSON (null when empty or not JSON). */
export interface JsonReply {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary JSON in tests
}

/** `text` parsed as JSON, or null when it is empty or not JSON (an HTML page, NDJSON, SSE). */
export function parseJsonOrNull(text: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary JSON in tests
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * One call with a JSON body (a string body is sent as it is; without a body, no content-type either), aborted after
 * `timeoutMs`; the response body is read whole and parsed when it is JSON.
 */
export async function fetchJson(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<JsonReply> {
  const { method = 'POST', headers = {}, body, timeoutMs = 20_000 } = opts;
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseJsonOrNull(text) };
}
