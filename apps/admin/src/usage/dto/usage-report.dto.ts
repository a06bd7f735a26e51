import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UsageSumsDto {
  @ApiProperty() requests: number;
  @ApiProperty() errors: number;
  @ApiProperty() promptTokens: number;
  @ApiProperty() completionTokens: number;
  @ApiProperty() totalTokens: number;
  @ApiProperty({ example: '12.3456789', description: 'USD, exact decimal string.' }) costUsd: string;
}

export class UsageRowDto extends UsageSumsDto {
  @ApiPropertyOptional({ example: '2026-01-31' }) day?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) keyId?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) keyName?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) teamId?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) teamName?: string | null;
  @ApiPropertyOptional() model?: string;
}

export class UsageReportDto {
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [String] }) groupBy: string[];
  @ApiProperty({ type: [UsageRowDto] }) rows: UsageRowDto[];
  @ApiProperty({ type: UsageSumsDto }) totals: UsageSumsDto;
  @ApiProperty({ type: [String], description: 'Models recorded without a price (cost 0).' }) unpricedModels: string[];
}
