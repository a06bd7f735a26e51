// Jest on Node 20 cannot require() the ESM-only NestJS 12 packages, so swc compiles node_modules to CJS too.
/** @type {import('jest').Config} */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs', ignoreDynamic: false },
}];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [],
  moduleNameMapper: { '^@llmp/(common|infra|policy|routing)$': '<rootDir>/libs/$1/src/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  setupFiles: ['<rootDir>/test/support/per-file-prefix.ts'],
};
module.exports = {
  rootDir: '.',
  projects: [
    { ...shared, rootDir: '.', displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    // Integration specs (`*.int-spec.ts`, beside the code or under test/) and e2e specs talk to the real services.
    {
      ...shared, rootDir: '.', displayName: 'integration',
      testMatch: ['<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
    },
    { ...shared, rootDir: '.', displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
  // One database and Redis prefix for the whole run (all projects); services missing -> the run fails.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Some BullMQ/ioredis reconnect timers outlive close() in a few suites; never let them hang CI after the results.
  forceExit: true,
};
