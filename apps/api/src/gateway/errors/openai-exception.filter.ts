import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeError } from './error-normalizer';
import { errorHeaders, openAiErrorBody } from './openai-error.envelope';

/** Writes every data plane error in the OpenAI envelope, through FastifyReply. */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const error = normalizeError(exception, req.id);
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(error.status).headers(errorHeaders(error, req.id)).send(openAiErrorBody(error));
  }
}
