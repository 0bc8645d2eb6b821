// @ts-check
/**
 * One Jest run for every tier: unit (`*.spec.ts`), integration (`*.int-spec.ts`, real Kafka and
 * Postgres), end-to-end (`test/*.e2e-spec.ts`) and faults (`test/faults/*.fault-spec.ts`).
 * ESM mode (NestJS 12 is ESM-only): run through `node --experimental-vm-modules` (see package.json).
 * @type {import('jest').Config}
 */
const config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    // Libraries are reached only through their index (the same door the build uses).
    '^@timeline/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // nodenext source imports carry .js suffixes; Jest resolves the .ts file instead.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/test/**/*.spec.ts',
    '<rootDir>/apps/**/*.int-spec.ts',
    '<rootDir>/libs/**/*.int-spec.ts',
    '<rootDir>/test/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
    '<rootDir>/test/faults/**/*.fault-spec.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  // Two suites at a time, whatever the core count (Jest's default on 2 cores is ONE): most suites
  // wait on Kafka and Postgres, not the CPU, so two halve the wall time on the 2-core CI machine
  // (874 s → 467 s); every timing bound in the fault scenarios was measured with two running.
  maxWorkers: 2,
  // Real brokers need generous timeouts (kafkajs's own suite does the same).
  testTimeout: 90_000,
  slowTestThreshold: 20,
  verbose: false,
};
export default config;
