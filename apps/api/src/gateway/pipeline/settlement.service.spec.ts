import type { CanonicalRequest, UsageEvent } from '@llmp/common';
import type { AccessLog, EventPublisher, MetricsService } from '@llmp/infra';
import type { AdmissionService, PriceBook } from '@llmp/policy';
import { RequestTrace } from './request-trace';
import { SettlementService } from './settlement.service';

/** A settlement service whose ledger sink records what it is given (the timing is under test, not the sinks). */
function settlementRecording(): { service: SettlementService; published: UsageEvent[] } {
  const published: UsageEvent[] = [];
  const events = { publishUsage: (e: UsageEvent) => published.push(e), publishAudit: () => undefined } as unknown as EventPublisher;
  const prices = { priceOf: () => null, cost: () => ({ costUsd: '0', priced: false }) } as unknown as PriceBook;
  const metrics = { observeRequest: () => undefined } as unknown as MetricsService;
  const accessLog = { enabled: false } as unknown as AccessLog;
  const service = new SettlementService({} as AdmissionService, prices, events, metrics, accessLog);
  return { service, published };
}

function traceOf(requestId: string): RequestTrace {
  const request = { requestId, model: 'm', endpoint: 'chat', surface: 'openai', stream: false, receivedAt: Date.now(), body: {} } as unknown as CanonicalRequest;
  const trace = new RequestTrace(request);
  trace.usage = { promptTokens: 3, completionTokens: 4, totalTokens: 7, estimated: false };
  return trace;
}

describe('SettlementService.finishAfterResponse', () => {
  it('settles after the callbacks of the current turn, each trace once, in order', async () => {
    const { service, published } = settlementRecording();
    const [a, b] = [traceOf('req-a'), traceOf('req-b')];
    service.finishAfterResponse(a);
    service.finishAfterResponse(b);
    // Nothing yet, not even after this turn's ticks and microtasks (where the responses are written).
    await new Promise<void>((r) => process.nextTick(r));
    await Promise.resolve();
    expect(published).toHaveLength(0);

    await new Promise<void>((r) => setImmediate(r));
    expect(published.map((e) => e.requestId)).toEqual(['req-a', 'req-b']);
    expect(published[0]).toMatchObject({ promptTokens: 3, completionTokens: 4, totalTokens: 7, status: 200 });

    // Settling again (another exit path of the same request) records nothing more.
    service.finish(a);
    service.finishAfterResponse(b);
    await new Promise<void>((r) => setImmediate(r));
    expect(published).toHaveLength(2);
  });

  it('settles traces deferred from a later turn in that turn', async () => {
    const { service, published } = settlementRecording();
    service.finishAfterResponse(traceOf('first'));
    await new Promise<void>((r) => setImmediate(r));
    service.finishAfterResponse(traceOf('second'));
    await new Promise<void>((r) => setImmediate(r));
    expect(published.map((e) => e.requestId)).toEqual(['first', 'second']);
  });
});

describe('SettlementService on forced calls', () => {
  it('records and labels a forced configured target as its model, and folds any other forced target to provider://*', () => {
    const published: UsageEvent[] = [];
    const labels: string[] = [];
    const events = { publishUsage: (e: UsageEvent) => published.push(e), publishAudit: () => undefined } as unknown as EventPublisher;
    const prices = { priceOf: () => null, cost: () => ({ costUsd: '0', priced: false }) } as unknown as PriceBook;
    const metrics = { observeRequest: (o: { model: string }) => labels.push(o.model) } as unknown as MetricsService;
    const service = new SettlementService({} as AdmissionService, prices, events, metrics, { enabled: false } as unknown as AccessLog);
    const configured = traceOf('configured');
    configured.resolution = { requested: 'up://small', resolved: 'gpt-4o-mini', aliasChain: ['up://small'], forced: { provider: 'up', model: 'small' } };
    const other = traceOf('other');
    other.resolution = { requested: 'up://x', resolved: 'up://x', aliasChain: ['up://x'], forced: { provider: 'up', model: 'x' } };
    service.finish(configured);
    service.finish(other);
    expect(published.map((e) => e.resolvedModel)).toEqual(['gpt-4o-mini', 'up://x']);
    expect(labels).toEqual(['gpt-4o-mini', 'up://*']);
  });
});
