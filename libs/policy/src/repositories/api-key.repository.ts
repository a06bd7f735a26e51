import { Injectable } from '@nestjs/common';
import type { Prisma } from '@prisma/client';
import { PrismaService, type PrismaTx } from '@llmp/infra';
import { POLICY_SELECT, policyWriteData, toJsonObject, toMetadata, toPolicyFields } from './policy-fields.mapper';
import type { KeyAuthRecord, KeyListFilter, KeyPatch, KeyRecord, NewKeyRow, Page } from './policy-records';

const KEY_SELECT = {
  id: true,
  name: true,
  keyPrefix: true,
  teamId: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  previousKeyExpiresAt: true,
  metadata: true,
  debugLogging: true,
  createdAt: true,
  updatedAt: true,
  ...POLICY_SELECT,
} as const satisfies Prisma.ApiKeySelect;

type KeyRow = Prisma.ApiKeyGetPayload<{ select: typeof KEY_SELECT }>;

function toKeyRecord(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.keyPrefix,
    teamId: row.teamId,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    previousKeyExpiresAt: row.previousKeyExpiresAt,
    metadata: toMetadata(row.metadata),
    debugLogging: row.debugLogging,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...toPolicyFields(row),
  };
}

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0) return null;
  const createdAt = new Date(text.slice(0, bar));
  const id = text.slice(bar + 1);
  return Number.isNaN(createdAt.getTime()) || !id ? null : { createdAt, id };
}

/** Keys in Postgres. Hashes go in and are matched here, and never come back out. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The key whose current or (rotated) previous secret has this hash, with its team; the cold auth path. */
  async findAuthRecordByHash(hash: string): Promise<KeyAuthRecord | null> {
    const row = await this.prisma.apiKey.findFirst({
      where: { OR: [{ keyHash: hash }, { previousKeyHash: hash }] },
      select: {
        id: true,
        name: true,
        keyHash: true,
        teamId: true,
        expiresAt: true,
        revokedAt: true,
        previousKeyExpiresAt: true,
        debugLogging: true,
        ...POLICY_SELECT,
        team: { select: { name: true, ...POLICY_SELECT } },
      },
    });
    if (!row) return null;
    const matchedPrevious = row.keyHash !== hash;
    return {
      keyId: row.id,
      keyName: row.name,
      teamId: row.teamId,
      teamName: row.team?.name ?? null,
      key: toPolicyFields(row),
      team: row.team ? toPolicyFields(row.team) : null,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
      matchedPrevious,
      previousSecretValidUntil: matchedPrevious ? (row.previousKeyExpiresAt ?? new Date(0)) : null,
      debugLogging: row.debugLogging,
    };
  }

  /** The same facts by public id, for explain (control plane only). */
  async findAuthRecordById(id: string): Promise<KeyAuthRecord | null> {
    const row = await this.prisma.apiKey.findUnique({
      where: { id },
      select: {
        id: true,
        name: true,
        teamId: true,
        expiresAt: true,
        revokedAt: true,
        debugLogging: true,
        ...POLICY_SELECT,
        team: { select: { name: true, ...POLICY_SELECT } },
      },
    });
    if (!row) return null;
    return {
      keyId: row.id,
      keyName: row.name,
      teamId: row.teamId,
      teamName: row.team?.name ?? null,
      key: toPolicyFields(row),
      team: row.team ? toPolicyFields(row.team) : null,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
      matchedPrevious: false,
      previousSecretValidUntil: null,
      debugLogging: row.debugLogging,
    };
  }

  async create(tx: PrismaTx, row: NewKeyRow): Promise<KeyRecord> {
    const created = await tx.apiKey.create({
      data: {
        id: row.id,
        name: row.name,
        keyHash: row.keyHash,
        keyPrefix: row.keyPrefix,
        teamId: row.teamId,
        expiresAt: row.expiresAt,
        metadata: toJsonObject(row.metadata),
        debugLogging: row.debugLogging ?? false,
        ...policyWriteData(row),
      },
      select: KEY_SELECT,
    });
    return toKeyRecord(created);
  }

  async findById(id: string, tx: PrismaTx = this.prisma): Promise<KeyRecord | null> {
    const row = await tx.apiKey.findUnique({ where: { id }, select: KEY_SELECT });
    return row ? toKeyRecord(row) : null;
  }

  async findByName(name: string): Promise<KeyRecord | null> {
    const row = await this.prisma.apiKey.findFirst({ where: { name }, orderBy: { createdAt: 'asc' }, select: KEY_SELECT });
    return row ? toKeyRecord(row) : null;
  }

  /** Whether the key's current secret has this hash (idempotent rotation replays, the demo key banner). */
  async currentHashIs(id: string, hash: string, tx: PrismaTx = this.prisma): Promise<boolean> {
    const row = await tx.apiKey.findFirst({ where: { id, keyHash: hash }, select: { id: true } });
    return row !== null;
  }

  /** Newest first, keyset-paginated on (createdAt, id). */
  async list(filter: KeyListFilter, now: Date = new Date()): Promise<Page<KeyRecord>> {
    const and: Prisma.ApiKeyWhereInput[] = [];
    if (filter.teamId) and.push({ teamId: filter.teamId });
    // Prisma passes `contains` to ILIKE unescaped: `%` and `_` from a search box must match themselves.
    if (filter.q) and.push({ name: { contains: filter.q.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } });
    if (filter.status === 'revoked') and.push({ revokedAt: { not: null } });
    if (filter.status === 'expired') and.push({ revokedAt: null, expiresAt: { lte: now } });
    if (filter.status === 'active') and.push({ revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });
    const after = filter.cursor ? decodeCursor(filter.cursor) : null;
    if (after) {
      and.push({
        OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
      });
    }
    const rows = await this.prisma.apiKey.findMany({
      where: { AND: and },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
      select: KEY_SELECT,
    });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return { data: page.map(toKeyRecord), nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
  }

  async update(tx: PrismaTx, id: string, patch: KeyPatch): Promise<KeyRecord> {
    const row = await tx.apiKey.update({
      where: { id },
      data: {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.teamId !== undefined && { teamId: patch.teamId }),
        ...(patch.expiresAt !== undefined && { expiresAt: patch.expiresAt }),
        ...(patch.metadata !== undefined && { metadata: toJsonObject(patch.metadata) }),
        ...(patch.debugLogging !== undefined && { debugLogging: patch.debugLogging }),
        ...policyWriteData(patch),
      },
      select: KEY_SELECT,
    });
    return toKeyRecord(row);
  }

  /** Revokes the key and any rotated-out secret still in its grace period. */
  async revoke(tx: PrismaTx, id: string, at: Date): Promise<KeyRecord> {
    const row = await tx.apiKey.update({
      where: { id },
      data: { revokedAt: at, previousKeyHash: null, previousKeyExpiresAt: null },
      select: KEY_SELECT,
    });
    return toKeyRecord(row);
  }

  /**
   * Puts a new secret under the same id. The old secret keeps working until `graceUntil`; without a grace period
   * it is forgotten at once.
   */
  async rotate(
    tx: PrismaTx,
    id: string,
    next: { keyHash: string; keyPrefix: string; graceUntil: Date | null },
  ): Promise<KeyRecord> {
    const current = await tx.apiKey.findUniqueOrThrow({ where: { id }, select: { keyHash: true } });
    const row = await tx.apiKey.update({
      where: { id },
      data: {
        keyHash: next.keyHash,
        keyPrefix: next.keyPrefix,
        previousKeyHash: next.graceUntil ? current.keyHash : null,
        previousKeyExpiresAt: next.graceUntil,
      },
      select: KEY_SELECT,
    });
    return toKeyRecord(row);
  }

  async countByTeam(teamId: string, tx: PrismaTx = this.prisma): Promise<number> {
    return tx.apiKey.count({ where: { teamId } });
  }
}
