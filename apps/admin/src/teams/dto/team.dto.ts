import { ApiProperty } from '@nestjs/swagger';
import { PolicyFieldsViewDto } from '../../common/policy-fields-view.dto';

export class TeamDto extends PolicyFieldsViewDto {
  @ApiProperty({ example: 'team_…' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
