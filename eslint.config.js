import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import directions (README, "Layout"): the composition root (app/) wires the features; features never reach up.
const ARI_CLIENT = { name: 'ari-client', message: 'Only ivr/ari/ may import ari-client.' };
const DRACHTIO = { name: 'drachtio-srf', message: 'Only edge/ may import drachtio-srf (behind its adapter, edge/srf/).' };
const PURE = ['express', 'knex', 'better-sqlite3', 'pg', 'ari-client', 'pino'].map((name) => ({ name, message: 'Domain code stays pure: depend on an interface, wire the adapter at the edge.' }));
/** A relative import that climbs into one of these top-level folders. */
const into = (rooms, message) => ({ regex: `^(\\.\\./)+(${rooms.join('|')})(/|$)`, message });
const NOT_UP = into(['app', 'scripts', 'sandbox'], 'Features (billing/, ivr/, web/, edge/) never import the composition root (app/), the CLI (scripts/) or the sandbox (sandbox/): declare the narrow deps you need in your own folder; app/ builds them.');
const IVR_NOT_WEB = into(['web'], 'ivr/ never imports web/.');
const EDGE_ALONE = into(['ivr', 'web'], 'edge/ never imports ivr/ or web/ (it talks to billing/ only).');
const CORE = into(['ivr', 'web', 'edge'], 'billing/ is the core every channel uses: it never imports ivr/, web/ or edge/.');
const restrict = (paths, patterns = []) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });
const IMPURE_BILLING = ['billing/store/**', 'billing/http/**', 'billing/cli/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/public/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      ...restrict([ARI_CLIENT, DRACHTIO]),
    },
  },
  // Each later block replaces the rule for its files, so every block lists all that applies there.
  { files: ['billing/**'], rules: restrict([ARI_CLIENT, DRACHTIO], [NOT_UP, CORE]) },
  { files: ['web/**'], rules: restrict([ARI_CLIENT, DRACHTIO], [NOT_UP]) },
  { files: ['ivr/**'], rules: restrict([ARI_CLIENT, DRACHTIO], [NOT_UP, IVR_NOT_WEB]) },
  { files: ['ivr/ari/**'], rules: restrict([DRACHTIO], [NOT_UP, IVR_NOT_WEB]) },
  { files: ['edge/**'], ignores: ['edge/srf/**'], rules: restrict([ARI_CLIENT, DRACHTIO], [NOT_UP, EDGE_ALONE]) },
  { files: ['edge/srf/**'], rules: restrict([ARI_CLIENT], [NOT_UP, EDGE_ALONE]) },
  // The drachtio-server double is checked against the real drachtio-srf (its fidelity tests).
  { files: ['test/doubles/drachtio/**'], rules: restrict([ARI_CLIENT]) },
  { files: ['billing/**/*.ts'], ignores: IMPURE_BILLING, rules: restrict([...PURE, DRACHTIO], [NOT_UP, CORE]) },
  { files: ['ivr/calls/**/*.ts'], rules: restrict([...PURE, DRACHTIO], [NOT_UP, IVR_NOT_WEB]) },
);
