import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

/** Report filters. `from`/`to` default to the last 30 days; any instant is exact (edges read the raw ledger). */
export class UsageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive start (default: 30 days before `to`).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive end (default: now).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ example: 'day,model', description: 'Comma-separated subset of day, key, team, model.' })
  @IsOptional()
  @Matches(/^(day|key|team|model)(,(day|key|team|model))*$/, { message: 'groupBy must be a comma-separated subset of day, key, team, model' })
  groupBy?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  keyId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  teamId?: string;

  @ApiPropertyOptional({ description: 'Resolved model (the requested one when resolution failed).' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  model?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
