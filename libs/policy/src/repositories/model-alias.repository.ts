import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '@llmp/infra';
import type { AliasRecord } from './policy-records';

const ALIAS_SELECT = { alias: true, target: true, createdAt: true, updatedAt: true } as const;

/** Global aliases managed in the admin API, layered over the config file's. */
@Injectable()
export class ModelAliasRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<AliasRecord[]> {
    return this.prisma.modelAlias.findMany({ orderBy: { alias: 'asc' }, select: ALIAS_SELECT });
  }

  async find(alias: string, tx: PrismaTx = this.prisma): Promise<AliasRecord | null> {
    return tx.modelAlias.findUnique({ where: { alias }, select: ALIAS_SELECT });
  }

  async upsert(tx: PrismaTx, alias: string, target: string): Promise<AliasRecord> {
    return tx.modelAlias.upsert({
      where: { alias },
      create: { alias, target },
      update: { target },
      select: ALIAS_SELECT,
    });
  }

  async delete(tx: PrismaTx, alias: string): Promise<void> {
    await tx.modelAlias.delete({ where: { alias }, select: { alias: true } });
  }
}
