import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

export class RotateKeyDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 2592000, default: 0, description: 'How long the old secret keeps working; 0 = it stops at once.' })
  @ValidateIf((_: object, v: unknown) => v !== undefined)
  @IsInt()
  @Min(0)
  @Max(30 * 24 * 3600)
  gracePeriodSeconds?: number;
}
