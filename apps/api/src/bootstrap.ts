import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { clientErrorHandler, InflightTracker, installClientAddress, loadEnv, loadGatewayConfig, MetricsService, nestLogLevels, registerMetricsRoute } from '@llmp/infra';
import { ErrorCode, JSON_TOO_DEEP_MESSAGE, jsonTextDepth, LlmpError, MAX_JSON_DEPTH } from '@llmp/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiModule } from './app.module';
import { GatewayExceptionFilter } from './gateway/errors/gateway-exception.filter';
import { errorHeaders } from './gateway/errors/openai-error.envelope';
import { errorBodyFor } from './gateway/errors/surface-envelope';
import { requestIdFrom } from './gateway/ingress/request-id';

/**
 * Accepts any JSON-ish body: OpenAI clients always send JSON, curl users often forget the content type. Nesting is
 * bounded on the text, before JSON.parse, which would otherwise spend seconds of CPU on megabytes of `[[[[`.
 */
function parseJsonBody(_req: unknown, body: string, done: (err: Error | null, value?: unknown) => void): void {
  if (body === '' || body === undefined) return done(null, undefined);
  if (jsonTextDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return done(Object.assign(new Error(JSON_TOO_DEEP_MESSAGE), { statusCode: 400, code: 'LLMP_JSON_TOO_DEEP' }));
  }
  try {
    done(null, JSON.parse(body));
  } catch (e) {
    done(Object.assign(new Error((e as Error).message), { statusCode: 400, code: 'LLMP_INVALID_JSON' }));
  }
}

/**
 * The router's own refusals (a URL whose percent-encoding does not decode, e.g. a Gemini model path
 * `/v1beta/models/%E0%A4%A:generateContent`) happen before any hook, filter or route: without this they answer in
 * Fastify's `{"statusCode","code","error"}` shape instead of the caller's envelope.
 */
function routerError(_error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const e = new LlmpError(ErrorCode.InvalidRequest, 'The request URL is malformed (a percent-encoding that does not decode).');
  void reply.status(400).headers(errorHeaders(e, req.id)).send(errorBodyFor(req.url)(e));
}

/** Builds the data plane app (used by main.ts and by tests); call `listen` yourself. */
export async function createApiApp(options: { logger?: false | LoggerService } = {}): Promise<NestFastifyApplication> {
  const env = loadEnv();
  const config = loadGatewayConfig(env.configPath);
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    frameworkErrors: routerError,
    // Requests Node's parser refuses never reach a route; they still get OpenAI's envelope (the path is unknown).
    clientErrorHandler: clientErrorHandler(({ code, message }) => ({ error: { message, type: 'invalid_request_error', param: null, code } })),
    // Node enforces requestTimeout only on its connection sweep (every 30 s by default); sweep every second so a
    // slow-body client is cut off close to the bound. Responses and streams are not bounded by it.
    serverFactory: (handler: RequestListener) => {
      const server = createServer({ requestTimeout: env.requestTimeoutMs, connectionsCheckingInterval: 1000 }, handler);
      server.keepAliveTimeout = 65_000;
      return server;
    },
  });
  const fastify = adapter.getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody);
  // `server` is boot-only (a reload keeps the running values), so the list read now is the one for the process.
  const trustedProxies = config.server.trustedProxies;
  installClientAddress(fastify, () => trustedProxies);
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, adapter, {
    // main.ts passes the pino logger; tests pass false or take Nest's console logger at LLMP_LOG_LEVEL.
    logger: options.logger ?? nestLogLevels(env.logLevel),
    // Our own parser below accepts JSON under any content type; Nest's would add form parsing back.
    bodyParser: false,
  });
  const inflight = app.get(InflightTracker);
  fastify.addHook('onRequest', (_req, reply, done) => {
    // Counted until the raw response closes, so hijacked SSE streams are waited for on shutdown too.
    inflight.track(reply.raw);
    if (inflight.draining) reply.header('connection', 'close');
    done();
  });
  registerMetricsRoute(fastify, app.get(MetricsService));
  // Global, so ingress failures (bad JSON, oversize bodies, unknown routes) get the caller's envelope too.
  app.useGlobalFilters(new GatewayExceptionFilter());
  // No enableShutdownHooks: main.ts drains in-flight requests and streams before the app closes (graceful-shutdown).
  if (config.auth.mode === 'disabled') {
    new Logger('Auth').warn('auth is DISABLED by config (auth.mode: disabled): every request is served without a key');
  }
  return app;
}
