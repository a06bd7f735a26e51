import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One upstream target of a model, in the order the router tries them. */
export class ModelTargetDto {
  @ApiProperty({ example: 'openai' })
  provider: string;

  @ApiProperty({ description: 'The provider\'s own model id.' })
  model: string;

  @ApiProperty({ type: 'integer', description: 'Lower is tried first.' })
  priority: number;

  @ApiProperty({ type: 'integer', description: 'Share of traffic among targets of the same priority.' })
  weight: number;
}

/** Configured price in USD per million tokens. */
export class ModelPricingDto {
  @ApiProperty()
  input: number;

  @ApiProperty()
  output: number;
}

/** A configured model route (from llmp.config.yaml). */
export class ModelRouteDto {
  @ApiProperty({ example: 'gpt-4o-mini' })
  name: string;

  @ApiProperty({ type: [ModelTargetDto] })
  targets: ModelTargetDto[];

  @ApiPropertyOptional({ type: ModelPricingDto })
  pricing?: ModelPricingDto;
}
