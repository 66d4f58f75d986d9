// One Jest for the whole monorepo: unit specs sit next to the code (*.spec.ts),
// integration tests under each package's test/ (*.int-spec.ts) and talk to the
// real local Postgres, NATS JetStream, registry and S3 endpoint.
const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swcTransform },
  moduleNameMapper: { '^@stella/([^/]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // Set here, not per project: Jest ignores testTimeout inside a project entry.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services}/*/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services}/*/test/**/*.int-spec.ts', '<rootDir>/test/e2e/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/jest-global-setup.js',
    },
  ],
};
