/**
 * The layering in the README's "Architecture" picture, as rules that fail `npm test` when broken
 * (`npm run lint:layers`). Scope: the runtime's own code (src/, agents/); tests and scripts may reach anywhere.
 *
 * - Core folders (the picture's bottom row and what they stand on) take plain values and import nothing above
 *   them: not the composition root (src/runtime), not an entry point (cli, fleet, dashboard, mcp), not the
 *   devnet package (a test world stands beside the runtime and plugs into the root).
 * - The devnet package (devnet/, its own layer) reaches gondola only through its public subpaths (gondola/chain,
 *   gondola/errors, gondola/util), and gondola loads it at run time in one place (src/devnet/lazy.ts).
 * - No cycles between folders (each directory is a folder: src/fleet/state, the Postgres adapters under the
 *   root, is a different folder from src/fleet/worker, an entry point above it).
 * - Only src/wallet signs transactions: scripts/checkSigning.ts (dependency-cruiser sees modules, not the
 *   names imported from viem), run by the same npm script.
 */
const CORE = '^src/(chain|wallet|keys|venice|agent|tools|status|util|errors|config)/'
const ABOVE_CORE = '^src/(runtime|registry|fleet|cli|dashboard|mcp|devnet|demo|init|host|autopilot|social|channels|adapters)/'
/** The devnet package (@gondola/devnet, the `devnet/` workspace): the devnet and the Venice emulator. */
const DEVNET = '^devnet/'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Folders form a DAG: a folder never imports (directly or through others) a folder that imports it.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'dashboard-not-cli',
      comment: 'The dashboard is a surface beside the CLI: it reads the runtime, never the CLI.',
      severity: 'error',
      from: { path: '^src/dashboard/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'core-imports-nothing-above',
      comment:
        'chain, wallet, keys, venice, agent, tools, status, util, errors and config take plain values: the composition root (src/runtime) picks the world (devnet or Base, emulator or api.venice.ai, files or Postgres) and hands them in.',
      severity: 'error',
      from: { path: CORE },
      to: { path: [ABOVE_CORE, DEVNET] },
    },
    {
      name: 'agent-never-signs',
      comment:
        'src/agent never signs anything and never sees an ADMIN key: it reaches the wallet and the key store only through the tools and the host (README, Security model).',
      severity: 'error',
      from: { path: '^src/agent/' },
      to: { path: '^src/(wallet|keys)/' },
    },
    {
      name: 'chain-is-the-bottom',
      comment: 'src/chain (ABIs, address books, RPC clients) stands on util, errors and config only.',
      severity: 'error',
      from: { path: '^src/chain/' },
      to: { path: '^src/', pathNot: '^src/(chain|util|errors|config)/' },
    },
    {
      name: 'runtime-beside-devnet',
      comment:
        'The composition root reads what a running devnet publishes (devnet.json, the on-chain address book) through src/chain; it never imports the devnet or the emulator.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: ['^src/devnet/', DEVNET] },
    },
    {
      name: 'devnet-through-public-subpaths',
      comment:
        'The devnet package imports gondola as any package would: only its public subpaths gondola/chain, gondola/errors and gondola/util (a peer dependency), never a module behind them.',
      severity: 'error',
      from: { path: DEVNET },
      to: { path: '^(src|agents)/', pathNot: '^src/(chain|errors|util)/index\\.ts$' },
    },
    {
      name: 'devnet-loaded-in-one-place',
      comment:
        'Gondola loads the devnet package at run time only in src/devnet/lazy.ts (which says what to install when it is missing); elsewhere only its types.',
      severity: 'error',
      from: { path: '^(src|agents)/', pathNot: '^src/devnet/lazy\\.ts$' },
      to: { path: DEVNET, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/|\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
