import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ExplainStepDto {
  @ApiProperty({ enum: ['authenticate', 'resolve_model', 'allowlist', 'token_cap', 'price'] })
  stage: string;

  @ApiProperty({ enum: ['pass', 'deny', 'skipped'] })
  decision: string;

  @ApiProperty({ example: 'alias chain fast → gpt-4o-mini' })
  reason: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  details?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } })
  error?: { code: string; message: string };
}

export class ExplainResultDto {
  @ApiProperty()
  keyId: string;

  @ApiProperty({ description: 'Whether stages 1-4 and the price rule (no unpriced model under a budget) would let the request through (limits and budget balances are not evaluated).' })
  allowed: boolean;

  @ApiProperty({ type: [ExplainStepDto] })
  steps: ExplainStepDto[];

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The body after the token cap.' })
  upstreamBody: Record<string, unknown> | null;
}
