import { Module } from '@nestjs/common';
import { PolicyModule } from '@llmp/policy';
import { AliasesController } from './aliases.controller';
import { AliasesService } from './aliases.service';

@Module({
  imports: [PolicyModule],
  controllers: [AliasesController],
  providers: [AliasesService],
})
export class AliasesModule {}
