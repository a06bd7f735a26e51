import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PolicyFieldsDto, Present } from '../../common/policy-fields.dto';
import { IsSmallJsonObject } from '../../common/validators';

/** A new virtual key. Ids, hashes, prefixes and spend are set by llmp, never by the request. */
export class CreateKeyDto extends PolicyFieldsDto {
  @ApiProperty({ example: 'ci-pipeline', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ nullable: true, example: 'team_abc' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  teamId?: string | null;

  @ApiPropertyOptional({ nullable: true, format: 'date-time', description: 'After this instant the key stops working.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Free-form JSON (at most 16 KB).' })
  @Present()
  @IsSmallJsonObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    default: false,
    description:
      'Log this key\'s request and response bodies (secret-shaped values redacted) at debug level, for debugging one client. Off by default: otherwise no prompt or completion is ever logged.',
  })
  @Present()
  @IsBoolean()
  debugLogging?: boolean;
}
