/** Roles of admin users. The master key acts with every role. */
export type AdminRole = 'admin' | 'operator' | 'finance' | 'viewer';

export const ADMIN_ROLES: readonly AdminRole[] = ['admin', 'operator', 'finance', 'viewer'];

/** Who performed an admin action, for audit events. */
export interface AdminActor {
  type: 'master' | 'admin';
  id: string;
  role: AdminRole;
  sourceIp: string | null;
}
