import { type DynamicModule, Module } from '@nestjs/common';
import { EVENT_PUBLISHER_OPTIONS, type EventPublisherOptions } from './event-publisher.options';
import { EventPublisher } from './event-publisher.service';

/** Provides the EventPublisher (needs the global InfraModule for config and the outbox). */
@Module({
  providers: [EventPublisher],
  exports: [EventPublisher],
})
export class QueuesModule {
  static forRoot(options: Partial<EventPublisherOptions> = {}): DynamicModule {
    return {
      module: QueuesModule,
      providers: [{ provide: EVENT_PUBLISHER_OPTIONS, useValue: options }, EventPublisher],
      exports: [EventPublisher],
    };
  }
}
