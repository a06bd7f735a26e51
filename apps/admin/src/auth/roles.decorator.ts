import { SetMetadata } from '@nestjs/common';
import type { AdminRole } from '@llmp/common';

export const ROLES_KEY = 'llmp:roles';

/** Roles that may call a route (the master key acts with every role). A route without roles is never reachable. */
export const Roles = (...roles: AdminRole[]) => SetMetadata(ROLES_KEY, roles);

/** Everyone who may read. */
export const READ_ROLES: AdminRole[] = ['admin', 'operator', 'finance', 'viewer'];
/** Who may change keys, teams and aliases. */
export const WRITE_ROLES: AdminRole[] = ['admin', 'operator'];
