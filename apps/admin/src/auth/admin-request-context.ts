import type { AdminActor } from '@llmp/common';

/** Who is calling and from where, for audit events. */
export interface AdminRequestContext {
  actor: AdminActor;
  requestId: string | null;
}
