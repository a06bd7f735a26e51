import { ForbiddenException, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AdminActor, AdminRole } from '@llmp/common';
import { PUBLIC_KEY } from './public.decorator';
import { ROLES_KEY } from './roles.decorator';

/**
 * The one global guard of the control plane: public routes pass; every other route must declare roles (a route that
 * forgot is closed, not open), needs a master key or admin token, and the caller's role must be listed.
 */
@Injectable()
export class AdminAuthGuard extends AuthGuard(['admin-bearer', 'management-key']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<AdminRole[] | undefined>(ROLES_KEY, targets);
    await super.canActivate(context);
    if (!roles?.length) throw new ForbiddenException('This route declares no roles and is closed.');
    const actor = context.switchToHttp().getRequest<{ user?: AdminActor }>().user;
    if (actor && (actor.type === 'master' || roles.includes(actor.role))) return true;
    throw new ForbiddenException(`This route needs one of the roles: ${roles.join(', ')}.`);
  }
}
