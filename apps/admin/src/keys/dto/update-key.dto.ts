import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PolicyFieldsDto, Present } from '../../common/policy-fields.dto';
import { IsSmallJsonObject } from '../../common/validators';

/** Changes to a key; absent fields stay as they are, `null` clears a nullable one. */
export class UpdateKeyDto extends PolicyFieldsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Present()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  teamId?: string | null;

  @ApiPropertyOptional({ nullable: true, format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
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
