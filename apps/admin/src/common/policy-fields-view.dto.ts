import { ApiProperty } from '@nestjs/swagger';
import type { BudgetPeriod, PolicyFields } from '@llmp/common';
import { BUDGET_PERIOD_VALUES } from './policy-fields.dto';

/** Policy fields as the API returns them. */
export class PolicyFieldsViewDto implements PolicyFields {
  @ApiProperty({ type: [String] })
  allowedModels: string[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  modelAliases: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' } })
  perModelMaxTokens: Record<string, number>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'object', properties: { rpm: { type: 'integer' }, tpm: { type: 'integer' } } } })
  modelLimits: Record<string, { rpm?: number; tpm?: number }>;

  @ApiProperty({ type: 'integer', nullable: true })
  rpm: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  tpm: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  maxParallel: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Most choices per request; null = not set here (the team\'s, else 8).' })
  maxChoices: number | null;

  @ApiProperty({ type: 'number', nullable: true })
  budgetUsd: number | null;

  @ApiProperty({ enum: BUDGET_PERIOD_VALUES, nullable: true })
  budgetPeriod: BudgetPeriod | null;
}
