import { ApiProperty } from '@nestjs/swagger';

export class AliasDto {
  @ApiProperty({ example: 'fast' })
  alias: string;

  @ApiProperty({ example: 'gpt-4o-mini' })
  target: string;

  @ApiProperty({ enum: ['config', 'admin'], description: '`admin` aliases override the config file\'s.' })
  source: 'config' | 'admin';
}
