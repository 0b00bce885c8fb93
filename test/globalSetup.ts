import { loadArtifacts } from '../devnet/src/devnet/compile/loadArtifacts.js'

/** Runs once before all test files: compile the devnet contracts (cached) so workers never recompile. */
export default async function setup(): Promise<void> {
  await loadArtifacts()
}
