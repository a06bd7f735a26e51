import { ApiProperty } from '@nestjs/swagger';
import { KeyDto } from './key.dto';

export class KeyPageDto {
  @ApiProperty({ type: [KeyDto] })
  data: KeyDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
