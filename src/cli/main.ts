/**
 * The `gondola` binary's entry: runs the command line (`runCli.ts`) and exits with its code.
 */
import { runCli } from './runCli.js'

export { main } from './runCli.js'

process.exitCode = await runCli(process.argv.slice(2))
