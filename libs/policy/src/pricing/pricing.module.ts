import { Module } from '@nestjs/common';
import { ModelPriceRepository } from './model-price.repository';
import { PriceBook } from './price-book.service';

/** Prices for both planes; needs the global InfraModule. */
@Module({
  providers: [ModelPriceRepository, PriceBook],
  exports: [ModelPriceRepository, PriceBook],
})
export class PricingModule {}
