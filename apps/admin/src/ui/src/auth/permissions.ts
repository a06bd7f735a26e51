import type { LoginResultDto } from '../api/schema.gen';

export type AdminRole = LoginResultDto['role'];
/** `master` is the bootstrap master key, which acts with every role. */
export type SessionRole = AdminRole | 'master';

/** Every action the console offers, mapped to who may take it (mirrors the server's @Roles; the server still decides). */
const ACTIONS = {
  'keys.write': ['admin', 'operator'],
  'teams.write': ['admin', 'operator'],
  'aliases.write': ['admin', 'operator'],
  'prices.write': ['admin', 'finance'],
  'usage.read': ['admin', 'finance'],
  'audit.read': ['admin', 'operator'],
  'users.manage': ['admin'],
  'playground.use': ['admin', 'operator'],
  'explain.use': ['admin', 'operator', 'finance', 'viewer'],
} as const satisfies Record<string, readonly AdminRole[]>;

export type Action = keyof typeof ACTIONS;

export function can(role: SessionRole | null | undefined, action: Action): boolean {
  if (!role) return false;
  if (role === 'master') return true;
  return (ACTIONS[action] as readonly AdminRole[]).includes(role);
}
