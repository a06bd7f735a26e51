import { ApiProperty } from '@nestjs/swagger';
import type { KeyStatus } from '@llmp/policy';
import { PolicyFieldsViewDto } from '../../common/policy-fields-view.dto';

/** A key as the API shows it: never the secret, never its hash. */
export class KeyDto extends PolicyFieldsViewDto {
  @ApiProperty({ example: 'key_3q2…' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 'llmp_AbC123', description: '`llmp_` + the first characters of the secret, for recognising it.' })
  keyPrefix: string;

  @ApiProperty({ nullable: true, type: String })
  teamId: string | null;

  @ApiProperty({ enum: ['active', 'revoked', 'expired'] })
  status: KeyStatus;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  revokedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastUsedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Until when the previous secret of a rotation still works.' })
  previousKeyExpiresAt: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ description: 'Whether this key\'s request and response bodies are logged (redacted), for debugging.' })
  debugLogging: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
