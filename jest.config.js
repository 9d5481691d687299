// ESM TypeScript under jest: ts-jest transpiles only (types are checked by `npm run typecheck`).
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@itemstore/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // A package's subpath export (package.json "exports"), e.g. @itemstore/resolve/content-workers.
    '^@itemstore/([a-z0-9-]+)/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testEnvironment: 'node',
  // Real servers, git and child processes: 5 s is too little when the machine is shared (two runs may share it).
  testTimeout: 30_000,
};

/** @type {import('jest').Config} */
export default {
  // jest-circus reads the timeout from the global config only: `testTimeout` inside `projects` is ignored (the 5 s
  // default applied, and tests timed out under a shared machine's load).
  testTimeout: shared.testTimeout,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      // Everything that runs the built dist/ bundles belongs to the bundles project.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/bundles/',
        '<rootDir>/test/e2e/',
        '<rootDir>/test/docs/',
      ],
    },
    {
      ...shared,
      displayName: 'bundles',
      testMatch: [
        '<rootDir>/test/bundles/**/*.test.ts',
        '<rootDir>/test/e2e/**/*.test.ts',
        '<rootDir>/test/docs/**/*.test.ts',
      ],
    },
  ],
};
