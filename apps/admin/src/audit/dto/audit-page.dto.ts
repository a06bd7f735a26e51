import { ApiProperty } from '@nestjs/swagger';
import { AuditEventDto } from './audit-event.dto';

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) data: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next (older) page.' }) nextCursor: string | null;
}
