import { Module } from '@nestjs/common';
import { ConfigController } from './config.controller';

/** Config reload for the whole install (needs the global InfraModule for the ConfigStore). */
@Module({ controllers: [ConfigController] })
export class ConfigAdminModule {}
