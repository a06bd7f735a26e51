import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PolicyFieldsDto, Present } from '../../common/policy-fields.dto';
import { IsSmallJsonObject } from '../../common/validators';

export class CreateTeamDto extends PolicyFieldsDto {
  @ApiProperty({ example: 'research', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Present()
  @IsSmallJsonObject()
  metadata?: Record<string, unknown>;
}
