// Lint rules that guard correctness, not style: no floating or misused promises, type-only
// imports marked, no deep imports into another package. Import cycles and module doors are
// checked by dependency-cruiser (.dependency-cruiser.cjs), which resolves TypeScript's `.js`
// specifiers to the sources.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'data/**', 'dist/**', 'coverage/**'] },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Entry points are the package.json `exports`: `@patchwise/core/assessment` is one
              // (the scan's modules without the database layer, for start-up time), and
              // `@patchwise/core/inventory` (what a scan's parser thread loads, for the same reason).
              regex: '^@patchwise/(?!core/assessment$|core/inventory$)[^/]+/.+',
              message: 'Import a package through its entry point, not a deep path.',
            },
          ],
        },
      ],
    },
  },
  {
    // Node's recursive mkdir (sync, callback or promise) never returns when a parent exists but
    // still answers ENOENT: a path under /proc, or below a symlink to nothing. The programs make
    // directories with makeDirectories / makeDirectoriesAsync (core/src/directories) instead.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['callee.name', 'callee.property.name'].map((callee) => ({
          selector: `CallExpression[${callee}=/^mkdir(Sync)?$/] > ObjectExpression > Property[key.name='recursive']`,
          message: "Node's recursive mkdir loops forever under /proc; use makeDirectories or makeDirectoriesAsync from @patchwise/core.",
        })),
      ],
    },
  },
  {
    // Tests may reach shared test support (../../test/support/…) and their own module's files.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-member-access': 'off' },
  },
);
