import { createHash } from 'node:crypto';

/** BullMQ key prefix derived from LLMP_REDIS_PREFIX, so installs and test runs sharing one Redis never collide. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

const SAFE_JOB_ID = /^[A-Za-z0-9._\-]{1,200}$/;

/**
 * BullMQ rejects integer-looking ids and ids containing `:`; request ids come from clients (`x-request-id`), so an
 * unusual one is mapped to a stable digest. Deterministic, so a replay of the same event still deduplicates.
 */
export function safeJobId(id: string): string {
  if (SAFE_JOB_ID.test(id) && `${parseInt(id, 10)}` !== id) return id;
  return `h-${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 40)}`;
}
