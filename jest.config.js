/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.js$': swc },
  // ESM-only dependencies (pulled in by @fastify/static and @fastify/cookie) are compiled to CommonJS for
  // jest, and so is @fastify/cookie itself: its dynamic import() of `cookie` needs jest's ESM mode otherwise.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|set-cookie-parser|@fastify/cookie)/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/closing-line-reporter.js'],
};
