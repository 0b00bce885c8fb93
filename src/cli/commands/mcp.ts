import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { ledgerPathIn } from '../../mcp/context.js'
import { describeMcpTools } from '../../mcp/describeTools.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { loadAccountFromEnv, openWallet } from '../../runtime/openWallet.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { PAYMENT_RAILS } from '../../agent/fundingRail.js'
import { exitCodeOf } from '../../errors/exitCodeOf.js'
import type { Env } from '../../config/env.js'
import { assertBindAllowed } from '../../mcp/frontDoor.js'
import { lazyWallet, type WalletSource } from '../../mcp/walletSource.js'
import { getLogger } from '../../util/logger.js'
import { assertInstalled, MCP_FEATURE, MCP_PACKAGES } from '../../util/optionalDependency.js'
import { publicError } from '../../util/publicError.js'
import type { Wallet } from '../../wallet/createWallet.js'
import { handleShutdown, untilAborted } from '../../util/shutdown.js'
import { CLIError } from '../CLIError.js'
import { openKeyStoreFromEnv } from '../keysContext.js'

const tools = describeMcpTools()
  .map((line) => `  ${line}`)
  .join('\n')

/**
 * `gondola mcp`: Gondola's wallet, keys, Venice and ledger as an MCP server, over stdio (default) or Streamable HTTP
 * (`--http`, 127.0.0.1, bearer token printed once on stderr).
 */
export default defineCommand({
  meta: {
    name: 'mcp',
    description: `Serve the wallet, keys, Venice and the ledger to MCP clients (stdio, or --http on 127.0.0.1 with a bearer token). Money tools only plan; confirm_plan (or the client's confirmation prompt) sends. Tools:\n${tools}\n  Resources: gondola://status, gondola://ledger, gondola://keys, gondola://characters. Prompts: one per Venice character.`,
  },
  args: {
    http: { type: 'boolean', description: 'Serve Streamable HTTP instead of stdio', default: false },
    host: { type: 'string', description: 'HTTP bind address (default 127.0.0.1; anything but loopback needs --allow-remote)' },
    'allow-remote': { type: 'boolean', description: 'Allow --host to be a non-loopback address (put TLS in front of it)', default: false },
    port: { type: 'string', description: 'HTTP port (default: a free port)' },
    agent: { type: 'string', description: 'Key-store agent whose INFERENCE key pays for the Venice tools (default mcp)' },
    pay: {
      type: 'string',
      description:
        "How the venice_* tools pay: 'diem' (the agent's INFERENCE key, the default) or 'x402' (the wallet signs in with SIWX, no API key; debited from its USDC credits, topped up only by `gondola x402 topup`)",
      default: 'diem',
    },
  },
  async run({ args }) {
    const port = args.port === undefined ? undefined : Number(args.port)
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535))
      throw new CLIError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(args.port)}).`, { code: 'CLI_BAD_FLAG' })
    if (args.agent !== undefined && !/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(args.agent))
      throw new CLIError(`--agent must be 1–40 letters, digits, "-" or "_" (got ${JSON.stringify(args.agent)}).`, { code: 'CLI_BAD_FLAG' })
    const pay = PAYMENT_RAILS.find((r) => r === args.pay)
    if (!pay) throw new CLIError(`--pay must be diem or x402 (got ${JSON.stringify(args.pay)}).`, { code: 'CLI_BAD_FLAG_VALUE' })
    if (!args.http && (args.host !== undefined || args.port !== undefined || args['allow-remote']))
      throw new CLIError('--host, --port and --allow-remote only apply with --http.', { code: 'CLI_BAD_FLAG' })
    if (args.http) assertBindAllowed(args.host ?? '127.0.0.1', args['allow-remote'])
    // An optional peer, checked before the wallet opens; loaded only here, so `gondola --help` needs no SDK. On the
    // x402 rail the server only signs in (SIWX, viem) and never pays: the x402 packages are not needed.
    assertInstalled(MCP_PACKAGES, MCP_FEATURE)
    const [{ createMcpServer }, { serveMcpHttp }, { serveMcpStdio }] = await Promise.all([
      import('../../mcp/createMcpServer.js'),
      import('../../mcp/http.js'),
      import('../../mcp/serveStdio.js'),
    ])
    const env = readEnv()
    const wallet = await walletOrOutage(env)
    const store = await openKeyStoreFromEnv(env)
    const keyPolicy = { maxDiem: env.GONDOLA_MCP_MAX_KEY_DIEM, periods: env.GONDOLA_MCP_KEY_PERIODS }
    const options = {
      wallet,
      store,
      baseURL: resolveVeniceBaseUrl(env),
      agent: args.agent,
      pay,
      ledgerPath: ledgerPathIn(env.GONDOLA_STATE_DIR),
      keyPolicy,
    }
    // The first SIGINT/SIGTERM lets the tool call in hand finish and closes the server (exit 0); a second forces exit 130.
    const shutdown = handleShutdown({ name: 'gondola mcp', finishing: 'the tool calls in hand' })
    try {
      if (!args.http) {
        // stdout carries MCP frames only (console output goes to stderr); returns when the client hangs up or on a signal.
        await serveMcpStdio(async () => (await createMcpServer(options)).server, { signal: shutdown.signal })
      } else {
        const http = await serveMcpHttp({
          createServer: async () => (await createMcpServer(options)).server,
          host: args.host,
          allowRemote: args['allow-remote'],
          port,
          token: env.GONDOLA_MCP_TOKEN,
        })
        const wildcard = /^http:\/\/(0\.0\.0\.0|\[::\])[:/]/.test(http.url)
        process.stderr.write(`gondola mcp: Streamable HTTP at ${http.url}${wildcard ? " (every interface: use this machine's address)" : ''}\n`)
        if (!env.GONDOLA_MCP_TOKEN) process.stderr.write(`gondola mcp: bearer token (shown once): ${http.token}\n`)
        else process.stderr.write('gondola mcp: bearer token from GONDOLA_MCP_TOKEN\n')
        await untilAborted(shutdown.signal)
        await http.close()
      }
      if (shutdown.received) process.stderr.write(`gondola mcp: stopped (${shutdown.received}).\n`)
    } finally {
      shutdown.dispose()
    }
  },
})

/**
 * The wallet, or, when the chain RPC cannot be reached at start-up, a source that opens it on the first call after
 * the RPC is back: the server starts anyway and reports the outage in tool results and `gondola://status`.
 */
async function walletOrOutage(env: Env): Promise<Wallet | WalletSource> {
  const account = await loadAccountFromEnv(env)
  const open = () => openWallet(env, { account })
  try {
    return await open()
  } catch (err) {
    if (exitCodeOf(err) !== ExitCode.network) throw err
    getLogger('mcp').warn('chain RPC unreachable at start; serving anyway, tools report the outage until it is back', { error: publicError(err).message })
    return lazyWallet(account.address, open)
  }
}
