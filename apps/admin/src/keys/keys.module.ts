import { Module } from '@nestjs/common';
import { PolicyModule } from '@llmp/policy';
import { AuthModule } from '../auth/auth.module';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';

@Module({
  imports: [PolicyModule, AuthModule],
  controllers: [KeysController],
  providers: [KeysService],
  exports: [KeysService],
})
export class KeysModule {}
