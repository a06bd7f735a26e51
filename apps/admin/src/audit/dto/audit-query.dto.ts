import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsInt8String } from '../../common/validators';

/** Filters of the audit log; newest first, cursor = the last `seq` of the previous page. */
export class AuditQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound of the event time.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound of the event time.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'Actor id (admin user id, "master", or key id).' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  actor?: string;

  @ApiPropertyOptional({ example: 'key.create' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  action?: string;

  @ApiPropertyOptional({ example: 'key_abc' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  target?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsInt8String()
  cursor?: string;
}
