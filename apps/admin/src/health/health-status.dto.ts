import { ApiProperty } from '@nestjs/swagger';

export class HealthStatusDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status: 'ok' | 'unavailable';

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'down'] }, example: { postgres: 'ok', redis: 'ok' } })
  checks: Record<string, 'ok' | 'down'>;
}
