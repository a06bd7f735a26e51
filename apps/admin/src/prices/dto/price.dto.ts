import { ApiProperty } from '@nestjs/swagger';

/** A model's effective price. */
export class PriceDto {
  @ApiProperty({ example: 'gpt-4o' }) model: string;
  @ApiProperty({ example: '2.5', description: 'USD per million input tokens, decimal string.' }) inputPerMillion: string;
  @ApiProperty({ example: '10', description: 'USD per million output tokens, decimal string.' }) outputPerMillion: string;
  @ApiProperty({ enum: ['config', 'override'] }) source: 'config' | 'override';
}
