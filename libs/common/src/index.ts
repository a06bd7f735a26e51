export * from './contracts/canonical';
export * from './contracts/events';
export * from './contracts/gateway-config';
export * from './contracts/policy';
export * from './errors/error-code';
export * from './errors/llmp.error';
export * from './queues/queue-registry';
export * from './admin/admin-role';
