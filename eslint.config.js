import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'coverage/**',
      'scratch/**',
      'examples/*/data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@duckdb/node-api', message: 'Only src/engine may import DuckDB (ARCHITECTURE.md).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/storage/**/*.ts', 'src/table/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@duckdb/node-api', message: 'Only src/engine may import DuckDB (ARCHITECTURE.md).' },
          ],
          patterns: [
            {
              group: ['**/engine/**', '**/cli/**'],
              message: 'core, storage and table must not depend on engine or cli.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
