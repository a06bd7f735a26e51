import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigStore, EventPublisher, InflightTracker, MetricsService } from '@llmp/infra';
import { AdmissionService, AuthenticateStage, KeyAuthService } from '@llmp/policy';
import { CooldownService } from '@llmp/routing';

const SURFACES = ['openai', 'anthropic', 'gemini', 'ollama'] as const;

/**
 * The data plane's scrape-time metrics: limiter fallbacks (Redis down), event delivery (queue, outbox, memory),
 * targets cooling down, requests in flight. Read from counters the services keep anyway; nothing per request.
 */
@Injectable()
export class DataPlaneMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly admission: AdmissionService,
    private readonly events: EventPublisher,
    private readonly cooldowns: CooldownService,
    private readonly inflight: InflightTracker,
    private readonly config: ConfigStore,
    private readonly keyAuth: KeyAuthService,
    private readonly authenticate: AuthenticateStage,
  ) {}

  onModuleInit(): void {
    const m = this.metrics;
    const prewarm = (): void => {
      const c = this.config.current();
      m.prewarm(SURFACES, c.models.map((x) => x.name), c.providers.map((p) => p.name));
    };
    prewarm();
    this.config.onChange(prewarm);

    const fallbacks = m.mirroredCounter(
      'llmp_redis_fallbacks_total',
      'Admissions decided without Redis: local (per-replica limiter), open, closed (refused), budget_refused (budgets fail closed), settle_failures',
      ['mode'],
    );
    const incidents = m.mirroredCounter('llmp_redis_incidents_total', 'Times the limits store (Redis) went from reachable to unreachable');
    const redisDown = m.gauge('llmp_redis_down', '1 while the limits store (Redis) is unreachable from this replica');
    const events = m.mirroredCounter(
      'llmp_events_total',
      'Usage and audit events by where they went: queued (BullMQ), outboxed (Postgres fallback while Redis refuses), dropped (both refused and the memory bound was hit)',
      ['sink'],
    );
    const failedFlushes = m.mirroredCounter('llmp_event_flush_failures_total', 'Event batches that Redis and Postgres both refused (kept in memory and retried)');
    const buffered = m.gauge('llmp_events_buffered', 'Events held in memory waiting for delivery');
    const cooling = m.gauge('llmp_cooldowns_active', 'Upstream targets cooling down after repeated failures, by provider', ['provider']);
    const cooldownsStarted = m.mirroredCounter('llmp_cooldowns_started_total', 'Upstream targets put into cooldown by this replica, by provider', ['provider']);
    const keyAuthFallbacks = m.mirroredCounter(
      'llmp_key_auth_fallbacks_total',
      'Key lookups that missed a store: redis_unreachable (answered from memory or Postgres), postgres_unreachable (a cold key could not be checked)',
      ['reason'],
    );
    const keyStoreLookups = m.mirroredCounter(
      'llmp_key_store_lookups_total',
      'Key lookups that left process memory, by store (redis, postgres); unknown keys are remembered, so a repeated one costs neither',
      ['store'],
    );
    const authFailures = m.mirroredCounter(
      'llmp_auth_failures_total',
      'Failed data plane authentications on this replica: rejected (401) or limited (429, the address failed too often this minute)',
      ['outcome'],
    );
    const inflight = m.gauge('llmp_inflight_requests', 'Requests and streams in flight on this replica');
    const draining = m.gauge('llmp_draining', '1 while this replica is shutting down');

    m.addCollector('admission', () => {
      const s = this.admission.fallbackStats();
      fallbacks.set({ mode: 'local' }, s.local);
      fallbacks.set({ mode: 'open' }, s.open);
      fallbacks.set({ mode: 'closed' }, s.closed);
      fallbacks.set({ mode: 'budget_refused' }, s.budgetRefused);
      fallbacks.set({ mode: 'settle_failures' }, s.settleFailures);
      incidents.set({}, s.incidents);
      redisDown.set(s.redisDown ? 1 : 0);
    });
    m.addCollector('events', () => {
      const s = this.events.stats();
      events.set({ sink: 'queued' }, s.queued);
      events.set({ sink: 'outboxed' }, s.outboxed);
      events.set({ sink: 'dropped' }, s.dropped);
      failedFlushes.set({}, s.failedFlushes);
      buffered.set(s.buffered);
    });
    m.addCollector('cooldowns', () => {
      cooling.reset();
      for (const p of this.config.current().providers) cooling.set({ provider: p.name }, 0);
      for (const c of this.cooldowns.cooldowns()) cooling.inc({ provider: c.provider });
      for (const p of this.config.current().providers) cooldownsStarted.set({ provider: p.name }, this.cooldowns.cooldownsStarted().get(p.name) ?? 0);
    });
    m.addCollector('key-auth', () => {
      const s = this.keyAuth.fallbackStats();
      keyAuthFallbacks.set({ reason: 'redis_unreachable' }, s.redisUnreachable);
      keyAuthFallbacks.set({ reason: 'postgres_unreachable' }, s.postgresUnreachable);
      const l = this.keyAuth.storeLookupStats();
      keyStoreLookups.set({ store: 'redis' }, l.redis);
      keyStoreLookups.set({ store: 'postgres' }, l.postgres);
      const f = this.authenticate.failures.totals;
      authFailures.set({ outcome: 'rejected' }, f.failures - f.limited);
      authFailures.set({ outcome: 'limited' }, f.limited);
    });
    m.addCollector('inflight', () => {
      inflight.set(this.inflight.count);
      draining.set(this.inflight.draining ? 1 : 0);
    });
  }
}
