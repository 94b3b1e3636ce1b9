// ESLint (flat config): typescript-eslint's recommended rules, no import cycles, and the layers
// of the architecture (README, "Architecture"). `npm run lint`; `npm test` runs it first.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';

const root = import.meta.dirname;

/** import-x/no-restricted-paths zones: `target` may not import anything under `from`. */
const layers = [
  {
    target: './src-main/core',
    from: ['./src-main/worker', './src-main/cli', './src-main/server', './src-main/electron'],
    message: 'core is the bottom layer: it may not import the worker, the CLI, the server or Electron (inject what it needs instead).',
  },
  {
    target: './src-main/worker',
    from: ['./src-main/cli', './src-main/server', './src-main/electron'],
    message: 'the worker sits under the CLI, the server and Electron: it may not import them.',
  },
  {
    target: './src-main/server',
    from: ['./src-main/cli', './src-main/electron'],
    message: 'the server may not import the CLI or Electron (the CLI starts the server, not the other way round).',
  },
  {
    target: './src-main/core/store',
    from: ['./src-main/core/eval', './src-main/core/engine'],
    message: 'the store is under eval and engine: it may not import them (move the shared piece down into the store or core/types).',
  },
  {
    target: './src-main/core/engine',
    from: ['./src-main/core/eval'],
    message: 'the engine is under eval: it may not import it (move the shared piece down).',
  },
  {
    // The renderer runs in a browser: of src-main it may import only the plain-data files that
    // tsconfig.web.json lists (types and constants, no Node modules).
    target: ['./src-renderer', './test/renderer'],
    from: './src-main',
    except: [
      './core/api/types.ts',
      './core/api/data-types.ts',
      './core/api/runs-types.ts',
      './core/api/jobs-types.ts',
      './core/api/eval-types.ts',
      './core/api/studio-api.ts',
      './core/api/transport-types.ts',
      './core/api/rpc.ts',
      './core/types.ts',
      './core/data/import-report.ts',
      './core/url-host.ts',
      './core/explore/types.ts',
      './core/annotate/types.ts',
      './core/manage/types.ts',
    ],
    message: 'the renderer runs in a browser: of src-main it may import only the plain-data files listed in tsconfig.web.json.',
  },
  {
    target: './src-shared',
    from: ['./src-main', './src-renderer'],
    message: 'src-shared is plain data shared by both sides: it may not import either.',
  },
];

export default defineConfig(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-artifacts/', '.tmp/', 'resources/', 'src-renderer/public/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,
  {
    rules: {
      // A leading underscore marks a name left unused on purpose: a destructured field dropped
      // from a copy (`const { dropout: _dropout, ...rest } = cfg`) or a callback's unused argument.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // As typescript-eslint does for .ts: the compiler (svelte-check) knows the globals and
      // types, and no-undef would flag every DOM type and ambient name.
      'no-undef': 'off',
      // Off: it asks for SvelteMap/SvelteSet/SvelteDate wherever a plain one is created, but the
      // state modules replace whole Maps in $state (`this.overview = new Map(...)`), keep private
      // non-reactive bookkeeping (a Set of ids being loaded) or build throwaway values (a Date
      // for a file name); switching would change what re-renders, not fix a bug.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.svelte'],
    plugins: { 'import-x': importX },
    // `parser` is for svelte-eslint-parser: import-x parses an imported .svelte file with the
    // importing file's options, and its <script lang="ts"> needs the TypeScript parser.
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', parserOptions: { parser: tseslint.parser } },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs', '.svelte'],
      // Packages are not parsed (nor followed by no-cycle): only our own sources.
      'import-x/ignore': ['node_modules'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'], 'svelte-eslint-parser': ['.svelte'] },
      // Imports are relative and without extensions (moduleResolution "bundler"); the plain
      // node resolution with .ts added finds every one of them.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node', '.svelte'] })],
    },
    rules: {
      // No runtime import cycles in src-main, src-renderer or the tests (type-only imports
      // vanish at compile time and are not counted). The migration registry needs no exemption:
      // the numbered migrations import only the Migration type, so it forms no cycle.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Every relative import must resolve: an import the resolver cannot follow would slip
      // past no-cycle and the layer zones unseen.
      'import-x/no-unresolved': ['error', { ignore: ['^[^.]'] }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layers }],
    },
  },
);
