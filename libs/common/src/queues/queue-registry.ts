/** Every BullMQ queue llmp uses; producers and processors import the names from here only. */
export const QUEUES = {
  usage: 'usage',
  audit: 'audit',
} as const;

export const JOBS = {
  usageRecord: 'usage.record',
  auditEvent: 'audit.event',
  /** Many usage records in one job (`{ events: UsageEvent[] }`): what the data plane sends on its hot path. */
  usageBatch: 'usage.batch',
  /** Many audit events in one job (`{ events: AuditEventInput[] }`). */
  auditBatch: 'audit.batch',
} as const;

/** The payload of a `*.batch` job. */
export interface EventBatchJob<T> {
  events: T[];
}

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Redis pub/sub channel (prefix added by the caller) on which the control plane announces policy changes. */
export const POLICY_INVALIDATION_CHANNEL = 'policy:invalidate';
