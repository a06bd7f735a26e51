import { ApiProperty } from '@nestjs/swagger';
import type { BudgetPeriod } from '@llmp/common';
import { BUDGET_PERIOD_VALUES } from '../../common/policy-fields.dto';

/** The answer to creating a key: the only time its secret is shown. */
export class CreatedKeyDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'llmp_…', description: 'The secret. Shown once; store it now.' })
  key: string;

  @ApiProperty()
  keyPrefix: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ nullable: true, type: String })
  teamId: string | null;

  @ApiProperty({ type: [String] })
  allowedModels: string[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  modelAliases: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' } })
  perModelMaxTokens: Record<string, number>;

  @ApiProperty({ type: 'integer', nullable: true })
  rpm: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  tpm: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  maxParallel: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  maxChoices: number | null;

  @ApiProperty({ type: 'number', nullable: true })
  budgetUsd: number | null;

  @ApiProperty({ enum: BUDGET_PERIOD_VALUES, nullable: true })
  budgetPeriod: BudgetPeriod | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
