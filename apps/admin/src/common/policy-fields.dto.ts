import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import type { BudgetPeriod } from '@llmp/common';
import { AtMostDecimals, INT4_MAX, IsModelLimitsMap, IsPositiveIntMap, IsStringMap } from './validators';

/**
 * Budgets are stored as numeric(18, 6): at most 12 integer digits. Larger values would fail in Postgres with a 500,
 * so they are refused here with a 400 naming the field.
 */
export const BUDGET_USD_MAX = 999_999_999_999;

/** Present-or-absent, never null (null would mean "clear" for a field that cannot be cleared). */
export const Present = () => ValidateIf((_: object, v: unknown) => v !== undefined);

export const BUDGET_PERIOD_VALUES: BudgetPeriod[] = ['day', 'week', 'month', 'total'];

/** The policy fields keys and teams share, as admins write them. A key narrows its team, never widens it. */
export class PolicyFieldsDto {
  @ApiPropertyOptional({ type: [String], example: ['gpt-4o-mini', 'claude-*'], description: 'Exact names or `*` globs; empty = no restriction at this level.' })
  @Present()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Length(1, 256, { each: true })
  allowedModels?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { fast: 'gpt-4o-mini' }, description: 'Aliases at this level: requested name → target.' })
  @Present()
  @IsStringMap()
  modelAliases?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'integer' }, example: { 'gpt-4o': 512, '*': 2048 }, description: 'Output-token cap per resolved model, `*` for any other.' })
  @Present()
  @IsPositiveIntMap()
  perModelMaxTokens?: Record<string, number>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', properties: { rpm: { type: 'integer' }, tpm: { type: 'integer' } } },
    example: { 'gpt-4o': { rpm: 10, tpm: 20000 } },
    description: 'Limits of the key × model scope, keyed by resolved model name or `*`.',
  })
  @Present()
  @IsModelLimitsMap()
  modelLimits?: Record<string, { rpm?: number; tpm?: number }>;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: INT4_MAX, description: 'Requests per minute; null = unlimited.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  rpm?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: INT4_MAX, description: 'Tokens per minute; null = unlimited.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  tpm?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: INT4_MAX, description: 'Concurrent requests; null = unlimited.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  maxParallel?: number | null;

  @ApiPropertyOptional({
    type: 'integer', nullable: true, minimum: 1, maximum: 128, example: 4,
    description: 'Most choices one request may ask for (`n`, `best_of`, Gemini `candidateCount`); null = not set here (the team\'s, else 8).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  maxChoices?: number | null;

  @ApiPropertyOptional({ type: 'number', nullable: true, minimum: 0, maximum: BUDGET_USD_MAX, example: 100, description: 'Budget in USD per period (at most 6 decimals); null = none.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @AtMostDecimals(6)
  @Min(0)
  @Max(BUDGET_USD_MAX)
  budgetUsd?: number | null;

  @ApiPropertyOptional({ enum: BUDGET_PERIOD_VALUES, nullable: true })
  @IsOptional()
  @IsIn(BUDGET_PERIOD_VALUES)
  budgetPeriod?: BudgetPeriod | null;
}
