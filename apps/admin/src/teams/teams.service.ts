import { Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError } from '@llmp/common';
import { OutboxRepository, type PrismaTx } from '@llmp/infra';
import {
  ApiKeyRepository,
  assertAliasesAllowed,
  GlobalAliasCache,
  newTeamId,
  PolicyInvalidator,
  ResolveModelStage,
  TeamRepository,
  TransactionRunner,
  type TeamRecord,
} from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { adminAuditEvent } from '../common/audit-event.factory';
import { sentPolicyFields } from '../common/policy-fields.view';
import type { CreateTeamDto } from './dto/create-team.dto';
import type { TeamDto } from './dto/team.dto';
import type { UpdateTeamDto } from './dto/update-team.dto';
import { teamView } from './team.view';

function notFound(id: string): LlmpError {
  return new LlmpError(ErrorCode.NotFound, `No team with id \`${id}\`.`);
}

@Injectable()
export class TeamsService {
  constructor(
    private readonly teams: TeamRepository,
    private readonly keys: ApiKeyRepository,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly invalidator: PolicyInvalidator,
    private readonly globalAliases: GlobalAliasCache,
    private readonly resolver: ResolveModelStage,
  ) {}

  async create(ctx: AdminRequestContext, dto: CreateTeamDto): Promise<TeamDto> {
    const team = await this.tx.run(async (tx) => {
      await this.assertNameFree(tx, dto.name);
      this.assertAliases(dto.modelAliases);
      const created = await this.teams.create(tx, { id: newTeamId(), name: dto.name, metadata: dto.metadata ?? {}, ...sentPolicyFields(dto) });
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'team.create', `team:${created.id}`, null, teamView(created)));
      return created;
    });
    return teamView(team);
  }

  async list(): Promise<TeamDto[]> {
    return (await this.teams.list()).map(teamView);
  }

  async get(id: string): Promise<TeamDto> {
    const team = await this.teams.findById(id);
    if (!team) throw notFound(id);
    return teamView(team);
  }

  async update(ctx: AdminRequestContext, id: string, dto: UpdateTeamDto): Promise<TeamDto> {
    const team = await this.tx.run(async (tx) => {
      const before = await this.mustFind(tx, id);
      if (dto.name !== undefined && dto.name !== before.name) await this.assertNameFree(tx, dto.name);
      this.assertAliases(dto.modelAliases);
      const after = await this.teams.update(tx, id, {
        ...sentPolicyFields(dto),
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.metadata !== undefined && { metadata: dto.metadata }),
      });
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'team.update', `team:${id}`, teamView(before), teamView(after)));
      return after;
    });
    await this.invalidator.teamChanged(id);
    return teamView(team);
  }

  /** Only an empty team can be deleted; keys must be moved or deleted first. */
  async delete(ctx: AdminRequestContext, id: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const before = await this.mustFind(tx, id);
      const keys = await this.keys.countByTeam(id, tx);
      if (keys > 0) throw new LlmpError(ErrorCode.Conflict, `The team still has ${keys} key(s); move or revoke them first.`);
      await this.teams.delete(tx, id);
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'team.delete', `team:${id}`, teamView(before), null));
    });
    await this.invalidator.teamChanged(id);
  }

  private async mustFind(tx: PrismaTx, id: string): Promise<TeamRecord> {
    const team = await this.teams.findById(id, tx);
    if (!team) throw notFound(id);
    return team;
  }

  /** Sent team aliases follow the alias rules, resolved over the global aliases. */
  private assertAliases(aliases: Record<string, string> | undefined): void {
    if (!aliases) return;
    assertAliasesAllowed('modelAliases', aliases, { key: {}, team: aliases, global: this.globalAliases.all }, this.resolver.modelCatalog);
  }

  private async assertNameFree(tx: PrismaTx, name: string): Promise<void> {
    if (await this.teams.findByName(name, tx)) throw new LlmpError(ErrorCode.Conflict, `A team named \`${name}\` already exists.`);
  }
}
