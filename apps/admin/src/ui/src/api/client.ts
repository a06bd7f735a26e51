import type { Operations } from './schema.gen';

export type OperationId = keyof Operations;
type Op<K extends OperationId> = Operations[K];
type IsEmpty<T> = [T] extends [never] ? true : false;

/** Arguments of one operation: only the parts it has are required. */
export type CallArgs<K extends OperationId> = (IsEmpty<Op<K>['params']> extends true ? { params?: undefined } : { params: Op<K>['params'] }) &
  (IsEmpty<Op<K>['query']> extends true ? { query?: undefined } : { query?: Op<K>['query'] }) &
  ([Op<K>['body']] extends [never] ? { body?: undefined } : { body: Op<K>['body'] }) & { headers?: Record<string, string> };

/** An error answer of the control plane, carrying its `{"error":{code,message,details}}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Fills `{name}` segments of a path template. */
export function buildPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
}

/** Query string from defined, non-empty values only (so an empty filter means "no filter"). */
export function buildQuery(query: Record<string, unknown> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/** Turns a failed response into an ApiError, reading the envelope when there is one. */
export async function toApiError(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `Request failed (${res.status})`;
  let details: Record<string, unknown> | undefined;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string | string[]; details?: Record<string, unknown> } };
    if (body.error) {
      code = body.error.code ?? code;
      message = Array.isArray(body.error.message) ? body.error.message.join('; ') : (body.error.message ?? message);
      details = body.error.details;
    }
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, code, message, details);
}

export type TokenSource = () => string | null;

/** A typed client over fetch; one instance per session (it reads the bearer token on every call). */
export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly onUnauthorized: () => void = () => {},
    private readonly base = '',
  ) {}

  url<K extends OperationId>(op: K, args: { params?: Record<string, string>; query?: Record<string, unknown> } = {}): string {
    const [, path] = splitOp(op);
    return `${this.base}${buildPath(path, args.params)}${buildQuery(args.query)}`;
  }

  /** Raw response (for CSV and streams); throws ApiError on a non-2xx status. */
  async fetch<K extends OperationId>(op: K, args: CallArgs<K>, accept = 'application/json', signal?: AbortSignal): Promise<Response> {
    const [method] = splitOp(op);
    const headers: Record<string, string> = { accept, ...(args.headers ?? {}) };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (args.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.url(op, args as { params?: Record<string, string>; query?: Record<string, unknown> }), {
      method,
      headers,
      body: args.body !== undefined ? JSON.stringify(args.body) : undefined,
      signal,
    });
    if (res.status === 401 && token) this.onUnauthorized();
    if (!res.ok) throw await toApiError(res);
    return res;
  }

  async call<K extends OperationId>(op: K, args: CallArgs<K>): Promise<Op<K>['response']> {
    const res = await this.fetch(op, args);
    if (res.status === 204) return undefined as Op<K>['response'];
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as Op<K>['response'];
  }
}

function splitOp(op: string): [string, string] {
  const i = op.indexOf(' ');
  return [op.slice(0, i), op.slice(i + 1)];
}
