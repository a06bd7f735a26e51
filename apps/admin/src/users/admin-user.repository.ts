import { Injectable } from '@nestjs/common';
import type { AdminRole } from '@llmp/common';
import { PrismaService, type PrismaTx } from '@llmp/infra';

/** An admin user as the API shows it; the password hash stays in this repository except for login. */
export interface AdminUserRecord {
  id: string;
  email: string;
  role: AdminRole;
  disabledAt: Date | null;
  /** Admin tokens carry the version they were issued under; a lower one is no longer a session. */
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

const USER_SELECT = { id: true, email: true, role: true, disabledAt: true, tokenVersion: true, createdAt: true, updatedAt: true } as const;

function toRecord(row: { id: string; email: string; role: string; disabledAt: Date | null; tokenVersion: number; createdAt: Date; updatedAt: Date }): AdminUserRecord {
  return { ...row, role: row.role as AdminRole };
}

@Injectable()
export class AdminUserRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(tx: PrismaTx, row: { id: string; email: string; passwordHash: string; role: AdminRole }): Promise<AdminUserRecord> {
    return toRecord(await tx.adminUser.create({ data: row, select: USER_SELECT }));
  }

  async findById(id: string, tx: PrismaTx = this.prisma): Promise<AdminUserRecord | null> {
    const row = await tx.adminUser.findUnique({ where: { id }, select: USER_SELECT });
    return row ? toRecord(row) : null;
  }

  /** The one read that returns a password hash: login needs it to verify. */
  async findCredentialsByEmail(email: string): Promise<(AdminUserRecord & { passwordHash: string }) | null> {
    const row = await this.prisma.adminUser.findUnique({ where: { email }, select: { ...USER_SELECT, passwordHash: true } });
    return row ? { ...toRecord(row), passwordHash: row.passwordHash } : null;
  }

  async list(): Promise<AdminUserRecord[]> {
    return (await this.prisma.adminUser.findMany({ orderBy: { email: 'asc' }, select: USER_SELECT })).map(toRecord);
  }

  /** `endSessions` raises the token version, so every admin token issued to the user so far stops working. */
  async update(
    tx: PrismaTx,
    id: string,
    patch: { role?: AdminRole; passwordHash?: string; disabledAt?: Date | null },
    endSessions: boolean,
  ): Promise<AdminUserRecord> {
    const data = endSessions ? { ...patch, tokenVersion: { increment: 1 } } : patch;
    return toRecord(await tx.adminUser.update({ where: { id }, data, select: USER_SELECT }));
  }

  async delete(tx: PrismaTx, id: string): Promise<void> {
    await tx.adminUser.delete({ where: { id }, select: { id: true } });
  }
}
