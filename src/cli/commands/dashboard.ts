import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { startDashboard } from '../../dashboard/startDashboard.js'
import { openWallet } from '../../runtime/openWallet.js'
import { handleShutdown, untilAborted } from '../../util/shutdown.js'
import { CLIError } from '../CLIError.js'
import { openKeyStoreFromEnv } from '../keysContext.js'

/** `gondola dashboard`: the local page, on 127.0.0.1, behind a one-time token in its URL. */
export default defineCommand({
  meta: {
    name: 'dashboard',
    description:
      'A local web page (127.0.0.1, one-time token in the URL): balances, runway and burn per key, spend per agent, top-ups and transactions, autopilot history; live while agents run',
  },
  args: {
    host: { type: 'string', description: 'Bind address (default 127.0.0.1)' },
    port: { type: 'string', description: 'Port (default: a free port)' },
  },
  async run({ args }) {
    const port = args.port === undefined ? undefined : Number(args.port)
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535))
      throw new CLIError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(args.port)}).`, { code: 'CLI_BAD_FLAG' })
    const env = readEnv()
    // The first SIGINT/SIGTERM (even during start-up) closes the server after the requests in hand; a second forces exit 130.
    const shutdown = handleShutdown({ name: 'gondola dashboard', finishing: 'the requests in hand' })
    try {
      const dash = await startDashboard({ env, wallet: await openWallet(env), store: await openKeyStoreFromEnv(env), host: args.host, port })
      if (!shutdown.received)
        process.stdout.write(`Dashboard: ${dash.url}\n(one-time: the first browser to open it gets a session, the link is then spent; Ctrl-C stops it)\n`)
      await untilAborted(shutdown.signal)
      await dash.close()
      process.stderr.write(`gondola dashboard: stopped (${shutdown.received}).\n`)
    } finally {
      shutdown.dispose()
    }
  },
})
