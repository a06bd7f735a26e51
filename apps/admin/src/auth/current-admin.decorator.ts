import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AdminActor } from '@llmp/common';
import type { AdminRequestContext } from './admin-request-context';

/** The authenticated admin actor and the request id, as the guard left them on the request. */
export const CurrentAdmin = createParamDecorator((_: unknown, ctx: ExecutionContext): AdminRequestContext => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AdminActor }>();
  if (!req.user) throw new Error('CurrentAdmin used on a route without authentication');
  const header = req.headers['x-request-id'];
  return { actor: req.user, requestId: typeof header === 'string' && header.length <= 200 ? header : req.id };
});
