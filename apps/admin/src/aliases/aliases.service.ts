import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError, type GatewayConfig } from '@llmp/common';
import { GATEWAY_CONFIG, OutboxRepository } from '@llmp/infra';
import {
  aliasProblem,
  GlobalAliasCache,
  ModelAliasRepository,
  PolicyInvalidator,
  ResolveModelStage,
  TransactionRunner,
} from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { adminAuditEvent } from '../common/audit-event.factory';
import type { AliasDto } from './dto/alias.dto';

/** Global aliases: the config file's, overridden by admin-managed ones. */
@Injectable()
export class AliasesService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly aliases: ModelAliasRepository,
    private readonly cache: GlobalAliasCache,
    private readonly resolver: ResolveModelStage,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly invalidator: PolicyInvalidator,
  ) {}

  async list(): Promise<AliasDto[]> {
    const out = new Map<string, AliasDto>();
    for (const [alias, target] of Object.entries(this.config.aliases)) out.set(alias, { alias, target, source: 'config' });
    for (const a of await this.aliases.list()) out.set(a.alias, { alias: a.alias, target: a.target, source: 'admin' });
    return [...out.values()].sort((a, b) => a.alias.localeCompare(b.alias));
  }

  async put(ctx: AdminRequestContext, alias: string, target: string): Promise<AliasDto> {
    this.assertResolvable(alias, target);
    const saved = await this.tx.run(async (tx) => {
      const before = await this.aliases.find(alias, tx);
      const after = await this.aliases.upsert(tx, alias, target);
      await this.outbox.appendAudit(
        tx,
        adminAuditEvent(ctx, 'alias.put', `alias:${alias}`, before && { alias, target: before.target }, { alias, target: after.target }),
      );
      return after;
    });
    await this.changed();
    return { alias: saved.alias, target: saved.target, source: 'admin' };
  }

  async delete(ctx: AdminRequestContext, alias: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const before = await this.aliases.find(alias, tx);
      if (!before) throw new LlmpError(ErrorCode.NotFound, `No admin-managed alias \`${alias}\`.`);
      await this.aliases.delete(tx, alias);
      await this.outbox.appendAudit(tx, adminAuditEvent(ctx, 'alias.delete', `alias:${alias}`, { alias, target: before.target }, null));
    });
    await this.changed();
  }

  private async changed(): Promise<void> {
    await this.invalidator.aliasesChanged();
    await this.cache.refresh();
  }

  /**
   * An alias must lead to a configured model (or a configured target's `provider://model`), without cycles or chains
   * that are too long, and must not carry a configured model's name.
   */
  private assertResolvable(alias: string, target: string): void {
    const problem = aliasProblem(alias, { key: {}, team: {}, global: { ...this.cache.all, [alias]: target } }, this.resolver.modelCatalog);
    if (problem) {
      const message = problem.part === 'target' ? `${problem.message} (\`${alias}\` → \`${target}\`)` : problem.message;
      throw new LlmpError(ErrorCode.InvalidRequest, message, { data: { field: problem.part === 'target' ? 'target' : 'alias' } });
    }
  }
}
