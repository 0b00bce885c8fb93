/**
 * `npm run compile-contracts [-- --force]`: compiles the devnet Solidity with solc-js when the
 * cached artifacts (devnet/src/devnet/artifacts/contracts.json) no longer match their sources.
 */
import { ARTIFACTS_FILE, loadArtifacts } from '../devnet/src/devnet/compile/loadArtifacts.js'

const started = performance.now()
const { artifacts, compiled } = await loadArtifacts({ force: process.argv.includes('--force') })
const took = Math.round(performance.now() - started)
process.stdout.write(
  `${compiled ? 'Compiled' : 'Up to date:'} ${Object.keys(artifacts.contracts).join(', ')} (solc ${artifacts.solcVersion}, input ${artifacts.inputHash.slice(0, 12)}) → ${ARTIFACTS_FILE} in ${took} ms\n`,
)
