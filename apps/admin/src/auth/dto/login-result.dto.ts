import { ApiProperty } from '@nestjs/swagger';
import { ADMIN_ROLES, type AdminRole } from '@llmp/common';

export class LoginResultDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`.' })
  token: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ enum: ADMIN_ROLES })
  role: AdminRole;
}
