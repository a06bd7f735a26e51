import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import type { FastifyReply } from 'fastify';
import { ErrorCode, LlmpError } from '@llmp/common';
import { letClientFinishRefusedBody } from '@llmp/infra';

interface Envelope {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return ErrorCode.InvalidApiKey;
  if (status === 403) return ErrorCode.PermissionDenied;
  if (status === 404) return ErrorCode.NotFound;
  if (status === 409) return ErrorCode.Conflict;
  if (status === 413) return ErrorCode.RequestTooLarge;
  if (status === 429) return ErrorCode.RateLimitExceeded;
  if (status >= 500) return ErrorCode.Internal;
  return ErrorCode.InvalidRequest;
}

function fromHttpException(e: HttpException): Envelope {
  const status = e.getStatus();
  const body = e.getResponse();
  const code = codeForStatus(status);
  if (typeof body === 'object' && body !== null && Array.isArray((body as { message?: unknown }).message)) {
    const problems = (body as { message: string[] }).message;
    return { status, code, message: problems.join('; '), details: { problems } };
  }
  if (status === 401) return { status, code, message: 'Missing or invalid admin credential (master key or admin token).' };
  return { status, code, message: e.message };
}

function fromPrisma(e: Prisma.PrismaClientKnownRequestError): Envelope | null {
  // Races the services did not pre-check (a row deleted or created concurrently) are still client-visible states.
  if (e.code === 'P2025') return { status: 404, code: ErrorCode.NotFound, message: 'Not found.' };
  if (e.code === 'P2002') return { status: 409, code: ErrorCode.Conflict, message: 'A record with that unique value already exists.' };
  if (e.code === 'P2003') return { status: 409, code: ErrorCode.Conflict, message: 'The record is still referenced.' };
  return null;
}

/** The only place admin errors become HTTP: `{"error":{"code","message","details?"}}`, written through Fastify. */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AdminExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const env = this.toEnvelope(exception);
    const error: Record<string, unknown> = { code: env.code, message: env.message };
    if (env.details) error.details = env.details;
    letClientFinishRefusedBody(reply, env.status);
    if (env.retryAfterSeconds !== undefined) void reply.header('retry-after', String(env.retryAfterSeconds));
    void reply.status(env.status).header('content-type', 'application/json; charset=utf-8').send({ error });
  }

  private toEnvelope(e: unknown): Envelope {
    if (e instanceof LlmpError) {
      const status = e.status;
      const details = e.details.data ?? (e.details.param ? { param: e.details.param } : undefined);
      if (status >= 500) return this.internal(e);
      const retryAfterSeconds = e.details.retryAfterSeconds;
      return { status, code: e.code, message: e.message, ...(details && { details }), ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
    }
    if (e instanceof HttpException) return fromHttpException(e);
    if (e instanceof Prisma.PrismaClientKnownRequestError) return fromPrisma(e) ?? this.internal(e);
    return this.internal(e);
  }

  private internal(e: unknown): Envelope {
    const errorId = randomUUID();
    this.logger.error(`unhandled error ${errorId}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { status: 500, code: ErrorCode.Internal, message: 'Internal error.', details: { errorId } };
  }
}
