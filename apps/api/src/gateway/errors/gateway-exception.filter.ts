import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { letClientFinishRefusedBody } from '@llmp/infra';
import { normalizeError } from './error-normalizer';
import { errorHeaders } from './openai-error.envelope';
import { errorBodyFor } from './surface-envelope';

/** Writes every data plane error in the envelope of the surface that was called, through FastifyReply. */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const error = normalizeError(exception, req.id);
    if (reply.sent || reply.raw.headersSent) return;
    letClientFinishRefusedBody(reply, error.status);
    void reply.status(error.status).headers(errorHeaders(error, req.id)).send(errorBodyFor(req.url)(error));
  }
}
