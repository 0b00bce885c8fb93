import type { CommandDef } from 'citty'

type Lazy = () => Promise<CommandDef<any>>

/** Every subcommand, loaded on demand. Add a line here when adding a command file. */
export const subCommands: Record<string, Lazy> = {
  demo: () => import('./demo.js').then((m) => m.default),
  init: () => import('./init.js').then((m) => m.default),
  devnet: () => import('./devnet.js').then((m) => m.default),
  faucet: () => import('./faucet.js').then((m) => m.default),
  keys: () => import('./keys.js').then((m) => m.default),
  provision: () => import('./provision.js').then((m) => m.default),
  wallet: () => import('./wallet.js').then((m) => m.default),
  swap: () => import('./swap.js').then((m) => m.default),
  stake: () => import('./stake.js').then((m) => m.default),
  claim: () => import('./claim.js').then((m) => m.default),
  unstake: () => import('./unstake.js').then((m) => m.default),
  diem: () => import('./diem.js').then((m) => m.default),
  run: () => import('./run.js').then((m) => m.default),
  status: () => import('./status.js').then((m) => m.default),
  ledger: () => import('./ledger.js').then((m) => m.default),
  autopilot: () => import('./autopilot.js').then((m) => m.default),
  mcp: () => import('./mcp.js').then((m) => m.default),
  dashboard: () => import('./dashboard.js').then((m) => m.default),
  character: () => import('./character.js').then((m) => m.default),
  characters: () => import('./characters.js').then((m) => m.default),
  worker: () => import('./worker.js').then((m) => m.default),
  fleet: () => import('./fleet.js').then((m) => m.default),
  x402: () => import('./x402.js').then((m) => m.default),
}
