import type { AdminUserRecord } from './admin-user.repository';
import type { UserDto } from './dto/user.dto';

export function userView(u: AdminUserRecord): UserDto {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    disabledAt: u.disabledAt ? u.disabledAt.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
