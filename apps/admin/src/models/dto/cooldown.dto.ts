import { ApiProperty } from '@nestjs/swagger';

/** A provider target that failed recently and is skipped until `until`. */
export class CooldownDto {
  @ApiProperty()
  provider: string;

  @ApiProperty()
  model: string;

  @ApiProperty({ format: 'date-time', description: 'When the target is tried again.' })
  until: string;
}
