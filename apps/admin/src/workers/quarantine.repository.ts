import { Injectable } from '@nestjs/common';
import { PrismaService } from '@llmp/infra';

/** Records that could not be written even after repair, kept for an operator instead of being retried forever. */
@Injectable()
export class QuarantineRepository {
  constructor(private readonly prisma: PrismaService) {}

  async add(kind: string, jobId: string, payload: unknown, error: string): Promise<void> {
    // JSON.stringify escapes NUL and lone surrogates, so the stored text is always valid UTF-8.
    await this.prisma.quarantine.create({
      data: { kind, jobId: JSON.stringify(jobId).slice(1, -1), payload: JSON.stringify(payload) ?? 'null', error: JSON.stringify(error).slice(1, -1).slice(0, 2000) },
      select: { id: true },
    });
  }

  async count(kind?: string): Promise<number> {
    return this.prisma.quarantine.count({ where: kind ? { kind } : {} });
  }
}
