/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

const transform = { '^.+\\.ts$': ['@swc/jest'] };

const config: Config = {
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.test.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 80, statements: 80, functions: 80, branches: 80 } },
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      setupFiles: ['reflect-metadata'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
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
