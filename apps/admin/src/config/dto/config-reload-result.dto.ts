import { ApiProperty } from '@nestjs/swagger';

/** One problem of a rejected config file. */
export class ConfigProblemDto {
  @ApiProperty({ example: 12, description: 'Line in the file (0 when unknown).' }) line: number;
  @ApiProperty({ example: 'models.2.targets.0.provider' }) path: string;
  @ApiProperty({ example: 'unknown provider "openai-eu"' }) message: string;
}

/** Names added, removed and changed by a reload. */
export class NameChangesDto {
  @ApiProperty({ type: [String] }) added: string[];
  @ApiProperty({ type: [String] }) removed: string[];
  @ApiProperty({ type: [String] }) changed: string[];
}

/** Prices per million tokens, USD. */
export class PricingDto {
  @ApiProperty({ example: 0.15 }) input: number;
  @ApiProperty({ example: 0.6 }) output: number;
}

export class PriceChangeDto {
  @ApiProperty({ example: 'gpt-4o-mini' }) model: string;
  @ApiProperty({ type: PricingDto, nullable: true }) before: PricingDto | null;
  @ApiProperty({ type: PricingDto, nullable: true }) after: PricingDto | null;
}

/** What an applied reload changed (names only, never credentials). */
export class ConfigChangeSummaryDto {
  @ApiProperty({ type: NameChangesDto }) providers: NameChangesDto;
  @ApiProperty({ type: NameChangesDto, description: 'Models whose targets were added, removed or changed.' }) models: NameChangesDto;
  @ApiProperty({ type: NameChangesDto }) aliases: NameChangesDto;
  @ApiProperty({ type: [PriceChangeDto] }) prices: PriceChangeDto[];
}

/** What a config reload did on the control plane, and how many processes were asked to reload. */
export class ConfigReloadResultDto {
  @ApiProperty({ enum: ['applied', 'unchanged', 'rejected'] }) status: 'applied' | 'unchanged' | 'rejected';
  @ApiProperty({ example: '/etc/llmp/llmp.config.yaml' }) source: string;
  @ApiProperty({ example: 3 }) providers: number;
  @ApiProperty({ example: 12 }) models: number;
  @ApiProperty({ type: [ConfigProblemDto] }) problems: ConfigProblemDto[];
  @ApiProperty({ type: [String], description: 'Changed sections that only apply after a restart (server, auth, routing, limits).' })
  restartRequired: string[];
  @ApiProperty({ type: ConfigChangeSummaryDto, nullable: true, description: 'What changed, when the reload was applied.' })
  changes: ConfigChangeSummaryDto | null;
  @ApiProperty({ example: 4, description: 'Processes subscribed to the reload channel that received the request.' }) notified: number;
}
