import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, Length, ValidateIf } from 'class-validator';
import { ADMIN_ROLES, type AdminRole } from '@llmp/common';

const present = () => ValidateIf((_: object, v: unknown) => v !== undefined);

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ADMIN_ROLES })
  @present()
  @IsIn(ADMIN_ROLES)
  role?: AdminRole;

  @ApiPropertyOptional({ minLength: 12, maxLength: 256, writeOnly: true })
  @present()
  @IsString()
  @Length(12, 256)
  password?: string;

  @ApiPropertyOptional({ description: 'A disabled user cannot log in and their tokens stop working.' })
  @present()
  @IsBoolean()
  disabled?: boolean;
}
