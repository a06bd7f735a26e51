import { Module } from '@nestjs/common';
import { PolicyModule } from '@llmp/policy';
import { AuthModule } from '../auth/auth.module';
import { KeysModule } from '../keys/keys.module';
import { DemoKeySeeder } from './demo-key.seeder';

@Module({
  imports: [PolicyModule, AuthModule, KeysModule],
  providers: [DemoKeySeeder],
  exports: [DemoKeySeeder],
})
export class StartupModule {}
