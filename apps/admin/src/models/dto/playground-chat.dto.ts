import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, Length, Matches } from 'class-validator';

/** A chat request sent through the data plane as a virtual key (the key's secret, which llmp never stores). */
export class PlaygroundChatDto {
  @ApiProperty({ example: 'llmp_…', description: 'The secret of the key to act as; used for this call only, never stored or logged.' })
  @IsString()
  @Length(8, 512)
  @Matches(/^llmp_/, { message: 'key must be a virtual key secret (llmp_…)' })
  key: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'An OpenAI chat completions body, passed to /v1/chat/completions unchanged.' })
  @IsObject()
  request: Record<string, unknown>;
}
