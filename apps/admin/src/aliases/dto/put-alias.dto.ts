import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class PutAliasDto {
  @ApiProperty({ example: 'gpt-4o-mini', description: 'A model, another alias, or `provider://model`.' })
  @IsString()
  @Length(1, 256)
  target: string;
}
