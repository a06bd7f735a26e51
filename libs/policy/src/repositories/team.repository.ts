import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import { PrismaService, type PrismaTx } from '@llmp/infra';
import { POLICY_SELECT, policyWriteData, toJsonObject, toMetadata, toPolicyFields } from './policy-fields.mapper';
import type { NewTeamRow, TeamPatch, TeamRecord } from './policy-records';

const TEAM_SELECT = {
  id: true,
  name: true,
  metadata: true,
  createdAt: true,
  updatedAt: true,
  ...POLICY_SELECT,
} as const satisfies Prisma.TeamSelect;

type TeamRow = Prisma.TeamGetPayload<{ select: typeof TEAM_SELECT }>;

function toTeamRecord(row: TeamRow): TeamRecord {
  return {
    id: row.id,
    name: row.name,
    metadata: toMetadata(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...toPolicyFields(row),
  };
}

@Injectable()
export class TeamRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(tx: PrismaTx, row: NewTeamRow): Promise<TeamRecord> {
    const created = await tx.team.create({
      data: { id: row.id, name: row.name, metadata: toJsonObject(row.metadata), ...policyWriteData(row) },
      select: TEAM_SELECT,
    });
    return toTeamRecord(created);
  }

  async findById(id: string, tx: PrismaTx = this.prisma): Promise<TeamRecord | null> {
    const row = await tx.team.findUnique({ where: { id }, select: TEAM_SELECT });
    return row ? toTeamRecord(row) : null;
  }

  async findByName(name: string, tx: PrismaTx = this.prisma): Promise<TeamRecord | null> {
    const row = await tx.team.findUnique({ where: { name }, select: TEAM_SELECT });
    return row ? toTeamRecord(row) : null;
  }

  async list(): Promise<TeamRecord[]> {
    const rows = await this.prisma.team.findMany({ orderBy: { name: 'asc' }, select: TEAM_SELECT });
    return rows.map(toTeamRecord);
  }

  async update(tx: PrismaTx, id: string, patch: TeamPatch): Promise<TeamRecord> {
    const row = await tx.team.update({
      where: { id },
      data: {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.metadata !== undefined && { metadata: toJsonObject(patch.metadata) }),
        ...policyWriteData(patch),
      },
      select: TEAM_SELECT,
    });
    return toTeamRecord(row);
  }

  async delete(tx: PrismaTx, id: string): Promise<void> {
    await tx.team.delete({ where: { id }, select: { id: true } });
  }
}
