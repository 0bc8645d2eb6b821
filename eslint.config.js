// @ts-check
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Lint rules. The import rules enforce the monorepo boundaries (CONVENTIONS.md rule 1): a lib is
 * reached only through its alias (`@timeline/<lib>` → `libs/<lib>/src/index.ts`); apps never import
 * other apps; libs/events stays free of Nest, Kafka and TypeORM.
 */
const deepLibImports = {
  group: ['@timeline/*/*', '**/libs/*/src/**', '**/libs/*/dist/**'],
  message: 'Import a library only through its alias, e.g. `@timeline/events` (its src/index.ts).',
};
const appImports = {
  group: ['**/apps/**', ...['ingest', 'projector', 'timeline-api', 'cli'].flatMap((app) => [`**/${app}/src/**`, `**/${app}/dist/**`])],
  message: 'Apps never import each other (or be imported by libs); move shared code into a lib.',
};

/** `no-restricted-imports` with the boundary patterns plus one restriction of the files it is for. */
const restrict = (/** @type {string[]} */ group, /** @type {string} */ message) => ({
  'no-restricted-imports': ['error', { patterns: [deepLibImports, appImports, { group, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'node_modules/**',
      '.data/**',
      '.cache/**',
      'coverage/**',
      'scratch/**',
      'test-artifacts/**',
      '**/public/vendor/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    // Decorator metadata needs constructor parameter types as value imports; tell the rules so.
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { patterns: [deepLibImports, appImports] }],
    },
  },
  {
    files: ['libs/events/src/**/*.ts'],
    rules: restrict(
      ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', '@timeline/*'],
      'libs/events is pure TypeScript: the shared contract imports no framework.',
    ),
  },
  {
    // The read side needs PostgreSQL only (ARCHITECTURE.md, issue 12): no Kafka client in the read API.
    files: ['apps/timeline-api/src/**/*.ts', 'apps/timeline-api/dashboard/**/*.ts'],
    rules: restrict(
      ['kafkajs', '@timeline/kafka'],
      'apps/timeline-api is the read side: it needs PostgreSQL only and imports no Kafka client.',
    ),
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.fault-spec.ts', 'test/**/*.ts'],
    rules: {
      // Tests may import the helpers under test/support and an app's own files, but still not libs deeply.
      'no-restricted-imports': ['error', { patterns: [deepLibImports] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // libs/store is data source, entities, migrations, the writer's SQL and the event_log source (issue 12):
    // a rebuild's Kafka phase is injected (RebuildKafkaPhase, implemented in libs/projection). After the
    // test block, so it holds for the lib's own tests too (those that need Kafka live in libs/projection).
    files: ['libs/store/src/**/*.ts'],
    rules: restrict(
      ['kafkajs', 'kafkajs/*', '@timeline/kafka', '@timeline/projection'],
      'libs/store imports no Kafka client: Kafka-side code lives in libs/projection, which injects it (RebuildKafkaPhase).',
    ),
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
