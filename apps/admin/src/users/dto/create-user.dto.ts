import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Length } from 'class-validator';
import { ADMIN_ROLES, type AdminRole } from '@llmp/common';

export class CreateUserDto {
  @ApiProperty({ example: 'ops@example.com' })
  @IsEmail()
  @Length(3, 254)
  email: string;

  @ApiProperty({ minLength: 12, maxLength: 256, writeOnly: true })
  @IsString()
  @Length(12, 256)
  password: string;

  @ApiProperty({ enum: ADMIN_ROLES })
  @IsIn(ADMIN_ROLES)
  role: AdminRole;
}
