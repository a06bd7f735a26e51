export * from './routing.types';
export * from './routing.module';
export * from './router.service';
export * from './health/cooldown.service';
export type { CooldownEntry } from './health/cooldown-tracker';
export type { ProviderAdapter, AdapterOutcome } from './providers/provider-adapter';
export { SseParser, readSseEvents, type SseEvent } from './http/sse-parser';
export { type CallSignal, DisconnectSignal } from './http/call-signal';
