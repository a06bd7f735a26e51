import { Module } from '@nestjs/common';
import { RoutingModule } from '@llmp/routing';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';
import { PlaygroundController } from './playground.controller';
import { PlaygroundService } from './playground.service';

/** What the console needs from the routing side: configured routes, cooldowns, and the playground pass-through. */
@Module({
  imports: [RoutingModule],
  controllers: [ModelsController, PlaygroundController],
  providers: [ModelsService, PlaygroundService],
})
export class ModelsModule {}
