import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, Length } from 'class-validator';

export class ExplainRequestDto {
  @ApiProperty({ example: 'key_…' })
  @IsString()
  @Length(1, 100)
  keyId: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { model: 'fast', max_tokens: 4000 },
    description: 'The body a client would send to the data plane (at least `model`).',
  })
  @IsObject()
  request: Record<string, unknown>;
}
