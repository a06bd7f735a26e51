import { Injectable } from '@nestjs/common';
import { PrismaService, type PrismaTx } from '@llmp/infra';

/** Runs one use case's writes (the change and its audit event) in one interactive Postgres transaction. */
@Injectable()
export class TransactionRunner {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: PrismaTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(tx));
  }
}
