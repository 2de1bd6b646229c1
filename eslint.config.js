import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ARCHITECTURE = 'docs/architecture.md';

/**
 * The folders of src/ by layer, lowest first (docs/architecture.md, "Layers"). A folder imports only
 * folders of lower layers, each through its index.ts; folders of one layer do not import each other.
 */
const LAYERS = [
  ['core'],
  ['storage'],
  ['table'],
  ['engine'],
  ['ingest', 'transform', 'ml', 'scheduler', 'serving'],
  ['stream'],
  ['api'],
  ['app'],
  ['cli'],
];

/** Packages only some folders may import; `typesIn` may also `import type` from them. */
const OWNED_PACKAGES = [
  { names: ['@duckdb/node-api'], owners: ['engine'], typesIn: [] },
  { names: ['ws'], owners: ['ingest'], typesIn: [] },
  { names: ['kafkajs'], owners: ['ingest'], typesIn: ['app'] },
  { names: ['fastify', '@fastify/*'], owners: ['api'], typesIn: ['app'] },
  { names: ['@aws-sdk/*'], owners: ['storage'], typesIn: [] },
  { names: ['pg'], owners: ['table', 'scheduler', 'serving'], typesIn: [] },
  { names: ['commander', 'cli-progress'], owners: ['cli'], typesIn: [] },
];

/** A relative import that climbs out of its folder into the top-level folder `folder` of src/. */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})/`;

/** The `no-restricted-imports` options for the files of one top-level folder of src/. */
function importFence(folder) {
  const layer = LAYERS.findIndex((group) => group.includes(folder));
  const below = LAYERS.slice(0, layer).flat();
  const notBelow = LAYERS.slice(layer)
    .flat()
    .filter((other) => other !== folder)
    .concat('web');
  const patterns = notBelow.map((other) => ({
    regex: into([other]),
    message: `src/${folder} must not import src/${other}, which is not below it in the layers of ${ARCHITECTURE}: move what both need into a lower folder, or let a folder above both wire them together.`,
  }));
  if (below.length > 0) {
    patterns.push({
      regex: `${into(below)}(?!index\\.js$)`,
      message: `Import another folder of src/ only through its index.ts (${ARCHITECTURE}).`,
    });
  }
  const paths = [];
  for (const { names, owners, typesIn } of OWNED_PACKAGES) {
    if (owners.includes(folder)) continue;
    const message = `Only src/${owners.join(', src/')} may import ${names.join(' or ')} (${ARCHITECTURE}).`;
    const allowTypeImports = typesIn.includes(folder);
    for (const name of names) {
      if (name.endsWith('/*')) patterns.push({ group: [name], message, allowTypeImports });
      else paths.push({ name, message, allowTypeImports });
    }
  }
  return ['error', { paths, patterns }];
}

/** The dashboard is bundled for the browser: it may read the API's types and nothing else of src/. */
const webFence = [
  'error',
  {
    patterns: [
      {
        regex: into(['api']),
        allowTypeImports: true,
        message: `src/web may import only types from src/api (${ARCHITECTURE}).`,
      },
      {
        regex: into(LAYERS.flat().filter((folder) => folder !== 'api')),
        message: `src/web is bundled for the browser and must not import server code (${ARCHITECTURE}).`,
      },
    ],
  },
];

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
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
    },
  },
  ...LAYERS.flat().map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': importFence(folder) },
  })),
  {
    files: ['src/web/**/*.ts'],
    rules: { 'no-restricted-imports': webFence },
  },
  {
    files: ['src/api/schemas/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!typebox$|\\./)',
              message: `src/api/schemas is compiled into the dashboard's types: it imports only typebox and its own files (${ARCHITECTURE}).`,
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
