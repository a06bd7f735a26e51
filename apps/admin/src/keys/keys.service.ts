import { Injectable } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { ErrorCode, LlmpError } from '@llmp/common';
import { OutboxRepository, type PrismaTx } from '@llmp/infra';
import {
  ApiKeyRepository,
  assertAliasesAllowed,
  deriveKeySecret,
  GlobalAliasCache,
  generateKeySecret,
  hashKeySecret,
  IdempotencyRepository,
  keyPrefixOf,
  newKeyId,
  PolicyInvalidator,
  ResolveModelStage,
  rotationPurpose,
  TeamRepository,
  TransactionRunner,
  type KeyPatch,
  type KeyRecord,
} from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { MasterKeyService } from '../auth/master-key.service';
import { adminAuditEvent } from '../common/audit-event.factory';
import { sentPolicyFields } from '../common/policy-fields.view';
import type { CreateKeyDto } from './dto/create-key.dto';
import type { CreatedKeyDto } from './dto/created-key.dto';
import type { KeyPageDto } from './dto/key-page.dto';
import type { KeyDto } from './dto/key.dto';
import type { ListKeysQueryDto } from './dto/list-keys.query.dto';
import type { RotateKeyDto } from './dto/rotate-key.dto';
import type { RotatedKeyDto } from './dto/rotated-key.dto';
import type { UpdateKeyDto } from './dto/update-key.dto';
import { createdKeyView, keyView } from './key.view';

const DEFAULT_PAGE = 50;

function notFound(id: string): LlmpError {
  return new LlmpError(ErrorCode.NotFound, `No key with id \`${id}\`.`);
}

function toDate(v: string | null | undefined): Date | null | undefined {
  return v === undefined ? undefined : v === null ? null : new Date(v);
}

/** Key use cases: every change commits with its audit event, then invalidates the data plane caches. */
@Injectable()
export class KeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly teams: TeamRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly invalidator: PolicyInvalidator,
    private readonly masterKey: MasterKeyService,
    private readonly globalAliases: GlobalAliasCache,
    private readonly resolver: ResolveModelStage,
  ) {}

  async create(ctx: AdminRequestContext, dto: CreateKeyDto): Promise<CreatedKeyDto> {
    return this.createWithSecret(ctx, dto, generateKeySecret());
  }

  /** Creates a key with a given secret (a fresh random one, or the derived demo secret). */
  async createWithSecret(ctx: AdminRequestContext, dto: CreateKeyDto, secret: string): Promise<CreatedKeyDto> {
    const hash = hashKeySecret(secret);
    const created = await this.tx.run(async (tx) => {
      await this.assertTeam(tx, dto.teamId);
      await this.assertAliases(tx, dto.modelAliases, dto.teamId);
      const key = await this.keys.create(tx, {
        id: newKeyId(),
        name: dto.name,
        keyHash: hash,
        keyPrefix: keyPrefixOf(secret),
        teamId: dto.teamId ?? null,
        expiresAt: toDate(dto.expiresAt) ?? null,
        metadata: dto.metadata ?? {},
        debugLogging: dto.debugLogging ?? false,
        ...sentPolicyFields(dto),
      });
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'key.create', `key:${key.id}`, null, keyView(key)));
      return key;
    });
    // The new hash may have been tried (and cached as unknown) before it existed.
    await this.invalidator.keysChanged([created.id], [hash]);
    return createdKeyView(created, secret);
  }

  async list(query: ListKeysQueryDto): Promise<KeyPageDto> {
    const page = await this.keys.list({
      teamId: query.teamId,
      status: query.status,
      q: query.q,
      cursor: query.cursor,
      limit: query.limit ?? DEFAULT_PAGE,
    });
    return { data: page.data.map(keyView), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<KeyDto> {
    const key = await this.keys.findById(id);
    if (!key) throw notFound(id);
    return keyView(key);
  }

  async update(ctx: AdminRequestContext, id: string, dto: UpdateKeyDto): Promise<KeyDto> {
    const patch: KeyPatch = {
      ...sentPolicyFields(dto),
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.teamId !== undefined && { teamId: dto.teamId }),
      ...(dto.expiresAt !== undefined && { expiresAt: toDate(dto.expiresAt) }),
      ...(dto.metadata !== undefined && { metadata: dto.metadata }),
      ...(dto.debugLogging !== undefined && { debugLogging: dto.debugLogging }),
    };
    const updated = await this.tx.run(async (tx) => {
      const before = await this.mustFind(tx, id);
      if (patch.teamId) await this.assertTeam(tx, patch.teamId);
      await this.assertAliases(tx, dto.modelAliases, patch.teamId !== undefined ? patch.teamId : before.teamId);
      const after = await this.keys.update(tx, id, patch);
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'key.update', `key:${id}`, keyView(before), keyView(after)));
      return after;
    });
    await this.invalidator.keysChanged([id]);
    return keyView(updated);
  }

  async revoke(ctx: AdminRequestContext, id: string): Promise<KeyDto> {
    const revoked = await this.tx.run(async (tx) => {
      const before = await this.mustFind(tx, id);
      if (before.revokedAt) return before;
      const after = await this.keys.revoke(tx, id, new Date());
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'key.revoke', `key:${id}`, keyView(before), keyView(after)));
      return after;
    });
    await this.invalidator.keysChanged([id]);
    return keyView(revoked);
  }

  /**
   * A new secret under the same id. With an Idempotency-Key the secret is derived from the master key, so a replay
   * recomputes the same one instead of storing it; a replay after a later rotation is a conflict.
   */
  async rotate(ctx: AdminRequestContext, id: string, dto: RotateKeyDto, idempotencyKey?: string): Promise<RotatedKeyDto> {
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
      throw new LlmpError(ErrorCode.InvalidRequest, 'Idempotency-Key must be 1 to 200 characters.');
    }
    const recordKey = idempotencyKey === undefined ? null : rotationPurpose(id, idempotencyKey);
    const secret = recordKey ? deriveKeySecret(this.masterKey.value, recordKey) : generateKeySecret();
    const hash = hashKeySecret(secret);
    if (recordKey) {
      const replay = await this.replay(id, recordKey, secret, hash);
      if (replay) return replay;
    }
    const grace = dto.gracePeriodSeconds ?? 0;
    let rotated: KeyRecord;
    try {
      rotated = await this.tx.run(async (tx) => {
        const before = await this.mustFind(tx, id);
        if (before.revokedAt) throw new LlmpError(ErrorCode.Conflict, 'A revoked key cannot be rotated.');
        const after = await this.keys.rotate(tx, id, {
          keyHash: hash,
          keyPrefix: keyPrefixOf(secret),
          graceUntil: grace > 0 ? new Date(Date.now() + grace * 1000) : null,
        });
        if (recordKey) await this.idempotency.create(tx, { key: recordKey, keyId: id, keyHash: hash });
        await this.outbox.appendAudit(
          tx,
          adminAuditEvent(ctx, 'key.rotate', `key:${id}`, keyView(before), { ...keyView(after), gracePeriodSeconds: grace }),
        );
        return after;
      });
    } catch (e) {
      // Two concurrent requests with one Idempotency-Key: the loser answers as a replay of the winner.
      if (recordKey && e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
        const replay = await this.replay(id, recordKey, secret, hash);
        if (replay) return replay;
      }
      throw e;
    }
    await this.invalidator.keysChanged([id], [hash]);
    return { ...keyView(rotated), key: secret };
  }

  private async replay(id: string, recordKey: string, secret: string, hash: string): Promise<RotatedKeyDto | null> {
    const seen = await this.idempotency.find(recordKey);
    if (!seen) return null;
    if (seen.keyId !== id || seen.keyHash !== hash || !(await this.keys.currentHashIs(id, hash))) {
      throw new LlmpError(
        ErrorCode.Conflict,
        'This Idempotency-Key was already used for a rotation that has since been superseded; use a new key.',
      );
    }
    const key = await this.keys.findById(id);
    if (!key) throw notFound(id);
    return { ...keyView(key), key: secret };
  }

  private async mustFind(tx: PrismaTx, id: string): Promise<KeyRecord> {
    const key = await this.keys.findById(id, tx);
    if (!key) throw notFound(id);
    return key;
  }

  /** Sent key aliases follow the alias rules, resolved over the key's team's aliases and the global ones. */
  private async assertAliases(tx: PrismaTx, aliases: Record<string, string> | undefined, teamId: string | null | undefined): Promise<void> {
    if (!aliases || Object.keys(aliases).length === 0) return;
    const team = teamId ? await this.teams.findById(teamId, tx) : null;
    assertAliasesAllowed('modelAliases', aliases, { key: aliases, team: team?.modelAliases ?? {}, global: this.globalAliases.all }, this.resolver.modelCatalog);
  }

  private async assertTeam(tx: PrismaTx, teamId: string | null | undefined): Promise<void> {
    if (teamId && !(await this.teams.findById(teamId, tx))) {
      throw new LlmpError(ErrorCode.InvalidRequest, `No team with id \`${teamId}\`.`, { data: { field: 'teamId' } });
    }
  }
}
