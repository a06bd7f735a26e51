import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '@llmp/infra';

/** Which key an Idempotency-Key rotated, and to which hash; never the secret. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async find(key: string, tx: PrismaTx = this.prisma): Promise<{ keyId: string; keyHash: string } | null> {
    return tx.idempotencyRecord.findUnique({ where: { key }, select: { keyId: true, keyHash: true } });
  }

  async create(tx: PrismaTx, row: { key: string; keyId: string; keyHash: string }): Promise<void> {
    await tx.idempotencyRecord.create({ data: row, select: { key: true } });
  }
}
