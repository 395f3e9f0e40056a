import appsync from '@aws-appsync/eslint-plugin';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'generated/',
      'cdk.out/',
      '.local/',
      'test-results/',
      'console/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    // The console runs in browsers; TypeScript already checks which globals exist there.
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    rules: { 'no-undef': 'off' },
  },
  {
    // Tool configuration files must export a default.
    files: ['**/*.config.js', '**/*.config.ts', '**/*.d.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The domain is the product's logic: it imports no AWS SDK and no Lambda types.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            '@aws-lambda-powertools/*',
            '@smithy/*',
            'aws-lambda',
            '../adapters/*',
            '../local/*',
          ],
        },
      ],
    },
  },
  {
    // AppSync's resolver code runs on APPSYNC_JS, which refuses much of JavaScript (try,
    // while, classes, regular expressions, `in`, …) at deploy: refuse it here first, with
    // AppSync's own rules and the type information the recommended set needs.
    files: ['infra/appsync/**/*.js'],
    ...appsync.configs.recommended,
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      parserOptions: {
        project: './infra/appsync/tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
);
