// ESLint: typescript-eslint's type-checked recommended rules, plus rules against floating
// promises and unused code. `npm run lint` runs it with Prettier's check and knip; any warning fails.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'describe', 'it', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-unused-expressions': 'error',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Migrations are never edited once shipped; 0001's down() is async only to match the interface.
  { files: ['migrations/**'], rules: { '@typescript-eslint/require-await': 'off' } },
  // The plain scripts (bin/, scripts/) run in Node; TypeScript files get their globals from tsc.
  { files: ['**/*.js'], languageOptions: { globals: globals.node } },
);
