import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'ops@example.com' })
  @IsEmail()
  @Length(3, 254)
  email: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @Length(1, 256)
  password: string;
}
