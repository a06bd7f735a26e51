import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeError } from '../errors/error-normalizer';
import { errorHeaders } from '../errors/openai-error.envelope';
import { geminiErrorBody } from './gemini-error.envelope';

/** Errors on the Gemini surface in Google's envelope (controller-scoped, so it wins over the global filter). */
@Catch()
export class GeminiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const error = normalizeError(exception, req.id);
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(error.status).headers(errorHeaders(error, req.id)).send(geminiErrorBody(error));
  }
}
