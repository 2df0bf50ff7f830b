// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/** Node built-ins and Electron must never reach core/: it runs unchanged in Node, workers and Chromium. */
const platformImports = {
  paths: [
    { name: 'electron', message: 'core/ is platform-free; Electron belongs in electron/main.' },
    { name: 'svelte', message: 'core/ is platform-free; Svelte belongs in renderer/.' }
  ],
  patterns: [
    { group: ['node:*'], message: 'core/ is platform-free; pass Node services in as parameters.' },
    {
      group: ['fs', 'fs/*', 'path', 'child_process', 'worker_threads', 'os', 'url', 'crypto'],
      message: 'core/ is platform-free; pass Node services in as parameters.'
    }
  ]
};

/** window.prompt/alert/confirm and their bare forms: renderer/src/state/dialogs.svelte.ts instead. */
const dialogMessage = 'Use the in-page dialogs (renderer/src/state/dialogs.svelte.ts).';
const browserDialogs = {
  globals: ['prompt', 'alert', 'confirm'].map((name) => ({ name, message: dialogMessage })),
  properties: ['window', 'globalThis', 'self'].flatMap((object) =>
    ['prompt', 'alert', 'confirm'].map((property) => ({ object, property, message: dialogMessage }))
  )
};

export default tseslint.config(
  {
    // wasm/ is AssemblyScript (its own compiler checks it), not TypeScript.
    ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-artifacts/', '.tmp/', 'wasm/']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }
      ],
      'no-empty': ['error', { allowEmptyCatch: false }]
    }
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', platformImports],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'core/ has no DOM.' },
        { name: 'document', message: 'core/ has no DOM.' },
        { name: 'navigator', message: 'core/ has no DOM.' },
        { name: 'process', message: 'core/ is platform-free; pass settings in as parameters.' },
        { name: 'Buffer', message: 'core/ works on Uint8Array, not Node Buffers.' }
      ]
    }
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser }
    },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The renderer talks to the API object only.' }] }
      ],
      // Electron has no prompt(), and the browser's boxes block the page: in-page dialogs only.
      'no-restricted-globals': ['error', ...browserDialogs.globals],
      'no-restricted-properties': ['error', ...browserDialogs.properties]
    }
  },
  prettier,
  ...svelte.configs['flat/prettier']
);
