import { ForbiddenException, Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { AdminActor, AdminRole } from '@llmp/common';
import { LoginThrottleService } from './login-throttle.service';
import { PUBLIC_KEY } from './public.decorator';
import { ROLES_KEY } from './roles.decorator';

/** A request that offers a master key or admin token (a guess to count); no credential at all is not one. */
function offersCredential(req: FastifyRequest): boolean {
  return req.headers.authorization !== undefined || req.headers['x-management-key'] !== undefined;
}

/**
 * The one global guard of the control plane: public routes pass; every other route must declare roles (a route that
 * forgot is closed, not open), needs a master key or admin token, and the caller's role must be listed. Offered
 * credentials are checked first: a valid one always passes; a wrong one is counted per client IP and, past the limit,
 * answered 429 with Retry-After, so guessing is slowed while other clients behind the same address are never locked
 * out by it.
 */
@Injectable()
export class AdminAuthGuard extends AuthGuard(['admin-bearer', 'management-key']) {
  constructor(
    private readonly reflector: Reflector,
    private readonly throttle: LoginThrottleService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<AdminRole[] | undefined>(ROLES_KEY, targets);
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: AdminActor }>();
    try {
      await super.canActivate(context);
    } catch (e) {
      // Only a credential that was checked and refused counts; a store outage (5xx) is nobody's guess.
      if (e instanceof UnauthorizedException && offersCredential(req)) await this.throttle.credentialFailed({ sourceIp: req.clientIp || null, requestId: req.id });
      throw e;
    }
    if (!roles?.length) throw new ForbiddenException('This route declares no roles and is closed.');
    const actor = req.user;
    if (actor && (actor.type === 'master' || roles.includes(actor.role))) return true;
    throw new ForbiddenException(`This route needs one of the roles: ${roles.join(', ')}.`);
  }
}
