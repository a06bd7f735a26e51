import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '@llmp/infra';

/** A price override as stored: decimal strings, USD per million tokens. */
export interface ModelPriceRow {
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
  updatedAt: Date;
}

const PRICE_SELECT = { model: true, inputPerMillion: true, outputPerMillion: true, updatedAt: true } as const;

interface RawPriceRow {
  model: string;
  inputPerMillion: { toFixed(): string };
  outputPerMillion: { toFixed(): string };
  updatedAt: Date;
}

function toRow(r: RawPriceRow): ModelPriceRow {
  return {
    model: r.model,
    inputPerMillion: r.inputPerMillion.toFixed(),
    outputPerMillion: r.outputPerMillion.toFixed(),
    updatedAt: r.updatedAt,
  };
}

/** Admin-managed price overrides (ModelPrice), layered over the config file's prices. */
@Injectable()
export class ModelPriceRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<ModelPriceRow[]> {
    const rows = await this.prisma.modelPrice.findMany({ orderBy: { model: 'asc' }, select: PRICE_SELECT });
    return rows.map(toRow);
  }

  async find(model: string, tx: PrismaTx = this.prisma): Promise<ModelPriceRow | null> {
    const row = await tx.modelPrice.findUnique({ where: { model }, select: PRICE_SELECT });
    return row ? toRow(row) : null;
  }

  async upsert(tx: PrismaTx, model: string, inputPerMillion: string, outputPerMillion: string): Promise<ModelPriceRow> {
    const row = await tx.modelPrice.upsert({
      where: { model },
      create: { model, inputPerMillion, outputPerMillion },
      update: { inputPerMillion, outputPerMillion },
      select: PRICE_SELECT,
    });
    return toRow(row);
  }
}
