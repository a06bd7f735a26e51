import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditLogService } from './audit-log.service';
import { AuditRepository } from './audit.repository';

/** Audit log reads and chain verification (writes happen in the workers). */
@Module({
  controllers: [AuditController],
  providers: [AuditLogService, AuditRepository],
  exports: [AuditLogService],
})
export class AuditModule {}
