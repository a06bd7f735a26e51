import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';
import { AtMostDecimals } from '../../common/validators';

/** A price override, USD per million tokens (at most 6 decimals). */
export class PutPriceDto {
  @ApiProperty({ example: 2.5, minimum: 0, maximum: 1_000_000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @AtMostDecimals(6)
  @Min(0)
  @Max(1_000_000)
  inputPerMillion: number;

  @ApiProperty({ example: 10, minimum: 0, maximum: 1_000_000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @AtMostDecimals(6)
  @Min(0)
  @Max(1_000_000)
  outputPerMillion: number;
}
