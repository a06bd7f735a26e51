import { ApiProperty } from '@nestjs/swagger';
import { KeyDto } from './key.dto';

/** The key after rotation, with its new secret (shown once, or again for the same Idempotency-Key). */
export class RotatedKeyDto extends KeyDto {
  @ApiProperty({ example: 'llmp_…', description: 'The new secret.' })
  key: string;
}
