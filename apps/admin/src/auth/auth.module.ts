import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { PolicyModule } from '@llmp/policy';
import { AdminUserRepository } from '../users/admin-user.repository';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminBearerStrategy } from './admin-bearer.strategy';
import { AdminTokenService } from './admin-token.service';
import { AuthAuditService } from './auth-audit.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginThrottleService } from './login-throttle.service';
import { ManagementKeyStrategy } from './management-key.strategy';
import { MasterKeyService } from './master-key.service';

/** Admin authentication: the master key, admin users and their tokens, and the global role guard. */
@Module({
  imports: [PassportModule, PolicyModule],
  controllers: [AuthController],
  providers: [
    AdminBearerStrategy,
    AdminTokenService,
    AdminUserRepository,
    AuthAuditService,
    AuthService,
    LoginThrottleService,
    ManagementKeyStrategy,
    MasterKeyService,
    { provide: APP_GUARD, useClass: AdminAuthGuard },
  ],
  exports: [AdminUserRepository, MasterKeyService],
})
export class AuthModule {}
