import { CliError, usageError } from '../cli.error';
import { isTimeout, isUnreachable } from './network-error';

export type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The control plane's error envelope: `{"error":{"code","message","details?"}}`. */
interface ErrorEnvelope {
  error?: { code?: string; message?: string };
}

const TIMEOUT_MS = 30_000;

/** The control plane's REST API (`/admin/v1`), with every failure turned into a one-line CliError. */
export class AdminApiClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async json<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** The raw body (e.g. CSV), byte for byte as the server sent it. */
  async text(path: string, query: Query = {}): Promise<string> {
    return (await this.send('GET', path, { query })).text();
  }

  private url(path: string, query: Query = {}): string {
    const u = new URL(`${this.base}/admin/v1${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    if (!this.token) {
      throw usageError(
        'no admin token: set LLMP_ADMIN_TOKEN or pass --token (the master key `llmp serve` prints, or a token from POST /admin/v1/auth/login)',
      );
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      if (isUnreachable(e)) {
        throw new CliError(`cannot reach the control plane at ${this.base}: is \`llmp serve\` running? (or set LLMP_ADMIN_URL / --admin-url)`);
      }
      if (isTimeout(e)) throw new CliError(`the control plane at ${this.base} did not answer within ${TIMEOUT_MS / 1000} s; check its logs`);
      throw new CliError(`request to the control plane at ${this.base} failed: ${(e as Error).message}`);
    }
    if (res.ok) return res;
    throw await this.failure(res);
  }

  private async failure(res: Response): Promise<CliError> {
    const text = await res.text();
    let message = text.trim().slice(0, 300) || res.statusText;
    try {
      const body = JSON.parse(text) as ErrorEnvelope;
      if (body.error?.message) message = body.error.message;
    } catch {
      // Not our envelope (a proxy in between, or an HTML page): show the start of it as it is.
    }
    switch (res.status) {
      case 401:
        return new CliError('the control plane rejected the admin token: set LLMP_ADMIN_TOKEN or --token to the master key or a current login token');
      case 403:
        return new CliError(`permission denied: ${message} (use a token whose role allows this, e.g. the master key)`);
      case 404:
        return new CliError(`not found: ${message}`);
      default:
        return new CliError(`${message} (HTTP ${res.status})`);
    }
  }
}
