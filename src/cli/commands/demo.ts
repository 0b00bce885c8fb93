import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { startDashboard } from '../../dashboard/startDashboard.js'
import { DemoStoppedError, runDemo } from '../../demo/runDemo.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { CLIError } from '../CLIError.js'
import { jsonArg, printJson } from '../output.js'
import { handleShutdown, untilAborted } from '../../util/shutdown.js'

/** `gondola demo` (= `npm start`): the whole self-funding loop on the embedded devnet, no configuration. */
export default defineCommand({
  meta: { name: 'demo', description: 'Run the whole self-funding loop on the embedded local devnet (what `npm start` does)' },
  args: {
    ...jsonArg,
    dashboard: { type: 'boolean', description: 'After the story, keep the world up and serve the dashboard until Ctrl-C', default: false },
    rail: {
      type: 'string',
      description: "How the agent pays: 'diem' (staked DIEM and an API key, the default) or 'x402' (USDC credits, SIWX, no key)",
      default: 'diem',
    },
  },
  async run({ args }) {
    if (args.rail !== 'diem' && args.rail !== 'x402')
      throw new CLIError(`--rail must be diem or x402 (got ${JSON.stringify(args.rail)}).`, { code: 'CLI_BAD_FLAG_VALUE' })
    if (args.rail === 'x402' && args.dashboard) throw new CLIError('--dashboard goes with the diem rail only.', { code: 'CLI_BAD_FLAG' })
    // One stop handler for the whole command: the first SIGINT/SIGTERM finishes the step in flight and stops the story
    // (or, with --dashboard after the story, closes the page); a second forces exit 130.
    const shutdown = handleShutdown({ name: 'gondola demo', finishing: 'the step in hand' })
    try {
      if (args.rail === 'x402') {
        const { runX402Demo } = await import('../../demo/runX402Demo.js')
        const summary = await runX402Demo({ json: args.json, shutdown })
        if (args.json) printJson(summary)
        return
      }
      const summary = await runDemo({
        json: args.json,
        shutdown,
        beforeStop: args.dashboard
          ? async ({ world, wallet, store, stateDir }) => {
              const env = readEnv({ GONDOLA_STATE_DIR: stateDir, VENICE_API_BASE_URL: world.veniceBaseUrl, DEVNET_RPC_URL: world.devnet.rpcUrl })
              const dash = await startDashboard({ env, wallet, store })
              process.stderr.write(`\nDashboard: ${dash.url}\nCtrl-C stops the dashboard and the local world.\n`)
              const done = shutdown.doing('the requests in hand')
              try {
                await untilAborted(shutdown.signal)
                await dash.close()
              } finally {
                done()
              }
            }
          : undefined,
      })
      if (args.json) printJson(summary)
    } catch (err) {
      if (!(err instanceof DemoStoppedError)) throw err
      // What was done, on stderr (stdout carries results only); the world is already stopped.
      process.stderr.write(`gondola demo: ${err.shortMessage}\n`)
      process.exitCode = ExitCode.interrupted
    } finally {
      shutdown.dispose()
    }
  },
})
