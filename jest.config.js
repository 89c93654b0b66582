// One jest run covers unit (*.spec.ts), integration (*.int-spec.ts) and e2e (*.e2e-spec.ts) suites.
// infra/scripts/test.mjs prepares the real services (fresh Postgres database, Redis prefix, moto) first.
const swc = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
    '/node_modules/@nestjs/.+\\.js$': '<rootDir>/infra/jest/esm-package.transformer.cjs',
  },
  // Packages published as ES modules only are compiled to CommonJS (see the transformer).
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Generous: e2e suites wait on real jobs while two jest workers share two cores; no test asserts on time.
  testTimeout: 120000,
  maxWorkers: 2,
};
