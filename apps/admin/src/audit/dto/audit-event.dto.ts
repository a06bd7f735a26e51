import { ApiProperty } from '@nestjs/swagger';

/** One audit event with its place in the hash chain. */
export class AuditEventDto {
  @ApiProperty({ description: 'Sequence number (chain order).' }) seq: string;
  @ApiProperty() eventId: string;
  @ApiProperty({ format: 'date-time' }) time: string;
  @ApiProperty({ enum: ['master', 'admin', 'key', 'anonymous', 'system'] }) actorType: string;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty() action: string;
  @ApiProperty({ nullable: true, type: String }) target: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) before: unknown;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) after: unknown;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty({ nullable: true, type: String }) sourceIp: string | null;
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;
}
