/** Every BullMQ queue llmp uses; producers and processors import the names from here only. */
export const QUEUES = {
  usage: 'usage',
  audit: 'audit',
} as const;

export const JOBS = {
  usageRecord: 'usage.record',
  auditEvent: 'audit.event',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Redis pub/sub channel (prefix added by the caller) on which the control plane announces policy changes. */
export const POLICY_INVALIDATION_CHANNEL = 'policy:invalidate';
