import { Module } from '@nestjs/common';
import { PolicyModule, PricingModule } from '@llmp/policy';
import { PricesController } from './prices.controller';
import { PricesService } from './prices.service';

/** Admin price overrides. */
@Module({
  imports: [PolicyModule, PricingModule],
  controllers: [PricesController],
  providers: [PricesService],
})
export class PricesModule {}
