import { Module } from '@nestjs/common';
import { BacklogMetricsModule, InfraModule } from '@llmp/infra';
import { AliasesModule } from './aliases/aliases.module';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { KeysModule } from './keys/keys.module';
import { PolicyAdminModule } from './policy/policy.module';
import { StartupModule } from './startup/startup.module';
import { TeamsModule } from './teams/teams.module';
import { UsersModule } from './users/users.module';
import { UsageModule } from './usage/usage.module';
import { AuditModule } from './audit/audit.module';
import { PricesModule } from './prices/prices.module';
import { ConfigAdminModule } from './config/config.module';
import { ModelsModule } from './models/models.module';

/** The control plane. Resource modules are listed here, one line each. */
@Module({
  imports: [
    InfraModule,
    AuthModule,
    HealthModule,
    KeysModule,
    TeamsModule,
    AliasesModule,
    PolicyAdminModule,
    UsersModule,
    StartupModule,
    UsageModule,
    AuditModule,
    PricesModule,
    ConfigAdminModule,
    BacklogMetricsModule,
    ModelsModule,
  ],
})
export class AppModule {}
