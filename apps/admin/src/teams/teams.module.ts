import { Module } from '@nestjs/common';
import { PolicyModule } from '@llmp/policy';
import { TeamsController } from './teams.controller';
import { TeamsService } from './teams.service';

@Module({
  imports: [PolicyModule],
  controllers: [TeamsController],
  providers: [TeamsService],
})
export class TeamsModule {}
