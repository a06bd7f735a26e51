import { Test, type TestingModule } from '@nestjs/testing';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type EventBatchJob, QUEUES, type UsageEvent } from '@llmp/common';
import { InfraModule } from '../infra.module';
import { loadEnv } from '../config/env.config';
import { bullConnection } from '../redis/redis.factory';
import { EventPublisher } from './event-publisher.service';
import { bullPrefix } from './queue-naming';
import { QueuesModule } from './queues.module';

const INTERVAL_MS = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function usage(requestId: string): UsageEvent {
  return {
    requestId, keyId: null, teamId: null, requestedModel: 'm', resolvedModel: 'm', provider: 'mock', endpoint: 'chat',
    status: 200, errorCode: null, promptTokens: 1, completionTokens: 1, totalTokens: 2, costUsd: '0', priced: true,
    estimated: false, latencyMs: 1, ttftMs: null, streamed: false, attempts: [], createdAt: new Date().toISOString(),
  };
}

/** The batching contract the worker's cost depends on: one job per interval under steady load, nothing held back on flush. */
describe('EventPublisher batching (Redis)', () => {
  let app: TestingModule;
  let publisher: EventPublisher;
  let connection: Redis;
  let queue: Queue;

  const jobs = async (): Promise<Job<EventBatchJob<UsageEvent>>[]> => queue.getJobs(['wait', 'prioritized']);
  const events = async (): Promise<string[]> => (await jobs()).flatMap((j) => j.data.events.map((e) => e.requestId)).sort();

  beforeAll(async () => {
    // Batches large enough that only the interval, never the size, ends one here.
    const publisherOptions = { flushIntervalMs: INTERVAL_MS, batchSize: 5000, eventsPerJob: 5000 };
    app = await Test.createTestingModule({ imports: [InfraModule, QueuesModule.forRoot(publisherOptions)] }).compile();
    await app.init();
    publisher = app.get(EventPublisher);
    const env = loadEnv();
    connection = new Redis(bullConnection(env.redisUrl));
    // No worker runs here: jobs stay in the queue to be counted.
    queue = new Queue(QUEUES.usage, { connection, prefix: bullPrefix(env.redisPrefix) });
  });

  afterEach(async () => {
    await queue.obliterate({ force: true });
  });

  afterAll(async () => {
    await app.close();
    await queue.close();
    connection.disconnect();
  });

  it('holds events for the interval, then sends them as one job', async () => {
    for (let i = 0; i < 10; i++) publisher.publishUsage(usage(`hold-${i}`));
    await sleep(INTERVAL_MS / 3);
    expect(await jobs()).toHaveLength(0);
    await sleep(INTERVAL_MS * 2);
    const sent = await jobs();
    expect(sent).toHaveLength(1);
    expect(sent[0].data.events).toHaveLength(10);
  });

  it('under a steady stream sends about one job per interval, not one per round trip, and loses nothing', async () => {
    const ids: string[] = [];
    const until = Date.now() + 4 * INTERVAL_MS;
    while (Date.now() < until) {
      // A few events every millisecond, as from a busy replica: always some arrive during a round trip to Redis.
      for (let j = 0; j < 5; j++) {
        ids.push(`steady-${String(ids.length).padStart(6, '0')}`);
        publisher.publishUsage(usage(ids[ids.length - 1]));
      }
      await sleep(1);
    }
    await publisher.flush();
    // Four intervals of events: four or five timed jobs and the flush's; a drain per round trip made hundreds.
    expect((await jobs()).length).toBeLessThanOrEqual(7);
    expect(await events()).toEqual(ids);
  });

  it('flush sends everything held at once, mid-interval', async () => {
    for (let i = 0; i < 25; i++) publisher.publishUsage(usage(`flush-${String(i).padStart(2, '0')}`));
    await publisher.flush();
    expect(await events()).toEqual(Array.from({ length: 25 }, (_, i) => `flush-${String(i).padStart(2, '0')}`));
  });
});
