import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/public/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [
        { name: 'ari-client', message: 'Only ivr/ari/ may import ari-client.' },
        { name: 'drachtio-srf', message: 'Only edge/srf/ (and the drachtio-server double\'s tests) may import drachtio-srf.' },
      ] }],
    },
  },
  {
    files: ['ivr/ari/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'drachtio-srf', message: 'Only edge/srf/ may import drachtio-srf.' }] }] },
  },
  {
    files: ['edge/srf/**', 'test/doubles/drachtio/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'ari-client', message: 'Only ivr/ari/ may import ari-client.' }] }] },
  },
  {
    files: ['billing/**/*.ts', 'ivr/calls/**/*.ts'],
    ignores: ['billing/store/**', 'billing/http/**', 'billing/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['express', 'knex', 'better-sqlite3', 'pg', 'ari-client', 'winston'].map((name) => ({ name, message: 'Domain code stays pure: depend on an interface, wire the adapter at the edge.' })) }],
    },
  },
);
