import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorBodyDto {
  @ApiProperty({ example: 'not_found', description: 'Stable machine-readable code (llmp ErrorCode).' })
  code: string;

  @ApiProperty({ example: 'No key with id `key_abc`.' })
  message: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Structured context, e.g. validation problems.' })
  details?: Record<string, unknown>;
}

/** Every admin error response: `{"error":{"code","message","details?"}}`. */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}
