import type { CommandDef } from 'citty'

type Lazy = () => Promise<CommandDef<any>>

/** Every subcommand, loaded on demand. Add a line here when adding a command file. */
export const subCommands: Record<string, Lazy> = {
  devnet: () => import('./devnet.js').then((m) => m.default),
}
