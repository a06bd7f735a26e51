import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { ProviderConfig } from '@llmp/common';
import { UpstreamFailure } from './upstream-failure';
import type { CallSignal } from './call-signal';

/** What a provider request mapper produces: a path under the provider's baseUrl and a serialized body. */
export interface UpstreamHttpRequest {
  /** Path appended to the baseUrl path, starting with '/'. */
  path: string;
  headers: Readonly<Record<string, string>>;
  body: string;
}

export interface UpstreamHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
}

interface PoolEntry {
  pool: Pool;
  /** The baseUrl's path and query, so `/v1` and `?api-version=` survive. */
  basePath: string;
  baseQuery: string;
}

// Connect failures should fail over quickly even when the provider allows minutes for a completion.
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The pooled keep-alive HTTP client every network adapter uses: one undici Pool per provider origin, created on first
 * use. Redirects are never followed (undici only follows them with an explicit interceptor, which we never add).
 */
@Injectable()
export class UpstreamHttpClient implements OnModuleDestroy {
  // Pools by origin (and connect timeout); routes by provider config, so two providers on one origin share sockets.
  private readonly pools = new Map<string, Pool>();
  private readonly routes = new WeakMap<ProviderConfig, PoolEntry>();

  /**
   * Sends one POST. Resolves with any status (the caller classifies it); rejects only with UpstreamFailure for
   * connect errors, timeouts and client aborts.
   */
  async post(provider: ProviderConfig, req: UpstreamHttpRequest, signal: CallSignal): Promise<UpstreamHttpResponse> {
    const ep = this.endpoint(provider);
    try {
      const res = await ep.pool.request({
        method: 'POST',
        path: ep.basePath + req.path + ep.baseQuery,
        headers: req.headers,
        body: req.body,
        // undici takes any object with add/removeEventListener, `aborted` and `reason` (its addAbortListener); its
        // type names only AbortSignal and EventEmitter.
        signal: signal as AbortSignal,
        // undici checks these on a coarse clock (about 1 s), which is fine for timeouts of seconds to minutes.
        headersTimeout: provider.timeoutMs,
        bodyTimeout: provider.timeoutMs,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (e) {
      throw UpstreamFailure.fromTransportError(e, signal);
    }
  }

  /**
   * Reads a whole body, failing (without buffering on) once it exceeds `limit` bytes. Listens for 'data' and 'end'
   * rather than iterating the stream: an async iterator per answer (its generator, end-of-stream watchers and a
   * promise per chunk) cost about 2% of a JSON request's CPU, for bodies that mostly arrive in one chunk.
   */
  readAll(body: UpstreamHttpResponse['body'], limit: number, signal: CallSignal): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (error: unknown): void => {
        if (settled) return;
        settled = true;
        body.off('data', onData);
        body.off('end', onEnd);
        body.off('close', onClose);
        // 'error' stays listened to: destroying the body (over the limit, or on the caller's abort) can still emit
        // one, and an 'error' nobody listens to would take the process down.
        if (error === null) resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
        else reject(UpstreamFailure.fromTransportError(error, signal));
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > limit) {
          settle(new UpstreamFailure('invalid-response', null, `response body larger than ${limit} bytes`));
          body.destroy();
          return;
        }
        parts.push(chunk);
      };
      const onEnd = (): void => settle(null);
      // Destroyed without an error (or before 'end'): the answer is incomplete.
      const onClose = (): void => settle(new Error('upstream body closed before its end'));
      if (body.destroyed) return settle(new Error('upstream body closed before its end'));
      body.on('data', onData);
      body.once('end', onEnd);
      body.once('error', settle);
      body.once('close', onClose);
    });
  }

  /** Discards the rest of a body so the keep-alive socket can be reused; never throws. */
  discard(body: UpstreamHttpResponse['body']): void {
    body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }

  private endpoint(provider: ProviderConfig): PoolEntry {
    const found = this.routes.get(provider);
    if (found) return found;
    if (!provider.baseUrl) throw new UpstreamFailure('connect', null, 'provider has no baseUrl');
    const url = new URL(provider.baseUrl);
    const connectTimeout = Math.min(provider.timeoutMs, MAX_CONNECT_TIMEOUT_MS);
    // URL.origin drops any user:password, which therefore can never leak into a request line or a log.
    const poolKey = `${url.origin} ${connectTimeout}`;
    let pool = this.pools.get(poolKey);
    if (!pool) {
      pool = new Pool(url.origin, {
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: connectTimeout },
      });
      this.pools.set(poolKey, pool);
    }
    const ep: PoolEntry = { pool, basePath: url.pathname.replace(/\/+$/, ''), baseQuery: url.search };
    this.routes.set(provider, ep);
    return ep;
  }
}
