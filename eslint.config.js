// Lint: typescript-eslint's recommended rules, plus the workflow sandbox rules — workflow code must
// stay deterministic, so it may not import Node built-ins, the ORM, I/O clients, or activity code
// (activities are imported as types only).
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'coverage/', 'bin/', '*.config.js', 'web/dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflow code runs in a deterministic sandbox: no Node built-ins' })),
          patterns: [
            { group: ['@mikro-orm/*', 'pg', 'ioredis', 'bullmq', 'stripe', 'nodemailer', 'fastify', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'no I/O libraries in workflow code; call an activity' },
            { group: ['../activities', '../activities/*', '../db', '../db/*', '../services/*', '../lib/*'], allowTypeImports: true, message: 'import activities and storage as types only' },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@mikro-orm/*', '@temporalio/*', 'fastify', '@fastify/*', 'ioredis', 'bullmq', 'stripe', 'nodemailer', '../*/**', '../api/*', '../db/*'], message: 'domain/ is pure: no framework imports' }] },
      ],
    },
  },
);
