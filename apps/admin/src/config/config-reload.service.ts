import { Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError, type AuditEventInput } from '@llmp/common';
import { ConfigStore, OutboxRepository, reloadAuditFacts, signalReloadAuditEvent } from '@llmp/infra';
import { TransactionRunner } from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { adminAuditEvent } from '../common/audit-event.factory';
import type { ConfigReloadResultDto } from './dto/config-reload-result.dto';

/**
 * Config reloads started on the control plane, each with a `config.reload` audit event saying who, when, and what
 * changed (providers, models, aliases, prices by name). Replicas reloading on the broadcast write no event of their
 * own: the admin call that asked for it is the audited action.
 */
@Injectable()
export class ConfigReloadService {
  constructor(
    private readonly store: ConfigStore,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /** `POST /admin/v1/config/reload`: validated here first, so a broken file is reported and never broadcast. */
  async reloadFromApi(ctx: AdminRequestContext): Promise<ConfigReloadResultDto> {
    const result = this.store.reload('admin API');
    await this.audit(adminAuditEvent(ctx, 'config.reload', `config:${result.source}`, null, reloadAuditFacts(result)));
    if (result.status === 'rejected') {
      throw new LlmpError(ErrorCode.InvalidRequest, 'The config file is invalid; every process keeps its running config', {
        data: { problems: result.problems },
      });
    }
    const notified = await this.store.broadcastReload();
    return { ...result, notified };
  }

  /** SIGHUP to the control plane process. */
  async reloadFromSignal(signal: string): Promise<void> {
    const result = this.store.reload(signal);
    await this.audit(signalReloadAuditEvent('admin', signal, reloadAuditFacts(result)));
  }

  private async audit(event: AuditEventInput): Promise<void> {
    await this.tx.run((tx) => this.outbox.appendAudit(tx, event));
  }
}
