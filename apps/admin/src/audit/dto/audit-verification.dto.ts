import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Result of recomputing the hash chain. */
export class AuditVerificationDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'Events checked before the first broken link (all of them when ok).' }) checked: number;
  @ApiPropertyOptional({ description: 'Sequence of the first event whose prevHash or hash does not match.' }) firstBrokenSeq?: string;
}
