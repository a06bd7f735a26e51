import { Module } from '@nestjs/common';
import { PolicyModule } from '@llmp/policy';
import { ConfigController } from './config.controller';
import { ConfigReloadService } from './config-reload.service';

/** Config reload for the whole install (needs the global InfraModule for the ConfigStore). */
@Module({ imports: [PolicyModule], controllers: [ConfigController], providers: [ConfigReloadService], exports: [ConfigReloadService] })
export class ConfigAdminModule {}
