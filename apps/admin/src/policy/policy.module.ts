import { Module } from '@nestjs/common';
import { PolicyModule, PricingModule } from '@llmp/policy';
import { PolicyController } from './policy.controller';

/** The admin surface of the policy library (explain). */
@Module({
  imports: [PolicyModule, PricingModule],
  controllers: [PolicyController],
})
export class PolicyAdminModule {}
