import { ValidationPipe, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { clientErrorHandler, ConfigStore, installClientAddress, MetricsService, registerMetricsRoute } from '@llmp/infra';
import { AppModule } from './app.module';
import { installLoopbackOnly } from './auth/loopback-only.hook';
import { installBoundedJsonParser } from './common/bounded-json.parser';
import { AdminExceptionFilter } from './common/admin-exception.filter';
import { installSecurityHeaders, SECURITY_HEADERS } from './common/security-headers.hook';
import { UnsafeInputPipe } from './common/unsafe-input.pipe';
import { registerConsole } from './console/console-static';

/** Admin request bodies are small JSON documents. */
const ADMIN_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The router's own refusals (a URL whose percent-encoding does not decode, a path parameter over Fastify's length
 * limit) happen before any hook, filter or route: without this they answer in Fastify's `{"statusCode","code"}`
 * shape and without the security headers the `onSend` hook adds to every other response.
 */
function routerError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.statusCode === 414;
  const message = tooLong ? 'A path parameter of the request URL is too long.' : 'The request URL is malformed (a percent-encoding that does not decode).';
  void reply
    .status(tooLong ? 414 : 400)
    .headers(SECURITY_HEADERS)
    .send({ error: { code: tooLong ? 'request_too_large' : 'invalid_request_error', message } });
}

export interface AdminAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Builds the initialised control plane app (not listening): used by main.ts and by the tests. */
export async function createAdminApp(options: AdminAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    new FastifyAdapter({
      bodyLimit: ADMIN_BODY_LIMIT_BYTES,
      clientErrorHandler: clientErrorHandler(({ code, message }) => ({ error: { code, message } }), SECURITY_HEADERS),
      frameworkErrors: routerError,
    }),
    { logger: options.logger ?? ['error', 'warn', 'log'] },
  );
  installBoundedJsonParser(app, ADMIN_BODY_LIMIT_BYTES);
  app.useGlobalPipes(new UnsafeInputPipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new AdminExceptionFilter());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // Read per request, so a config reload can open or close the control plane without a restart.
  const config = app.get(ConfigStore);
  installClientAddress(fastify, () => config.current().server.trustedProxies);
  installSecurityHeaders(fastify);
  installLoopbackOnly(fastify, () => config.current().admin.allowRemote);
  registerMetricsRoute(fastify, app.get(MetricsService));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('llmp control plane')
      .setDescription('Virtual keys, teams, model policy and admin users. Errors: `{"error":{"code","message","details?"}}`.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The master key or an admin token from /admin/v1/auth/login' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Management-Key', description: 'The master key' }, 'management-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  registerConsole(app.getHttpAdapter().getInstance());

  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
