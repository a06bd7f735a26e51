import { randomBytes } from 'node:crypto';

// Each test file gets its own Redis key prefix under the run's prefix: BullMQ queues, cooldowns and caches of one
// file can then never be consumed or seen by another file running in parallel. Teardown removes the run's prefix.
const base = process.env.LLMP_TEST_BASE_PREFIX ?? process.env.LLMP_REDIS_PREFIX;
if (base) {
  process.env.LLMP_TEST_BASE_PREFIX = base;
  process.env.LLMP_REDIS_PREFIX = `${base}${randomBytes(3).toString('hex')}:`;
}
