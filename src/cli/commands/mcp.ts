import { defineCommand } from 'citty'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { readEnv } from '../../config/env.js'
import { createMcpServer } from '../../mcp/createMcpServer.js'
import { ledgerPathIn } from '../../mcp/context.js'
import { describeMcpTools } from '../../mcp/describeTools.js'
import { serveMcpHttp } from '../../mcp/http.js'
import { resolveVeniceBaseUrl } from '../../venice/resolveBaseUrl.js'
import { openWallet } from '../../wallet/openWallet.js'
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
    host: { type: 'string', description: 'HTTP bind address (default 127.0.0.1)' },
    port: { type: 'string', description: 'HTTP port (default: a free port)' },
    agent: { type: 'string', description: 'Key-store agent whose INFERENCE key pays for the Venice tools (default mcp)' },
  },
  async run({ args }) {
    const port = args.port === undefined ? undefined : Number(args.port)
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new CLIError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(args.port)}).`, { code: 'CLI_BAD_FLAG' })
    if (args.agent !== undefined && !/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(args.agent)) throw new CLIError(`--agent must be 1–40 letters, digits, "-" or "_" (got ${JSON.stringify(args.agent)}).`, { code: 'CLI_BAD_FLAG' })
    if (!args.http && (args.host !== undefined || args.port !== undefined)) throw new CLIError('--host and --port only apply with --http.', { code: 'CLI_BAD_FLAG' })
    const env = readEnv()
    const wallet = await openWallet(env)
    const store = await openKeyStoreFromEnv(env)
    const options = { wallet, store, baseURL: resolveVeniceBaseUrl(env), agent: args.agent, ledgerPath: ledgerPathIn(env.GONDOLA_STATE_DIR) }
    // The first SIGINT/SIGTERM lets the tool call in hand finish and closes the server (exit 0); a second forces exit 130.
    const shutdown = handleShutdown({ name: 'gondola mcp', finishing: 'the tool calls in hand' })
    try {
      if (!args.http) {
        const { server } = await createMcpServer(options)
        await server.connect(new StdioServerTransport())
        const closed = new Promise<void>((resolve) => (server.server.onclose = resolve))
        await Promise.race([closed, untilAborted(shutdown.signal)])
        if (shutdown.received) await server.close()
      } else {
        const http = await serveMcpHttp({ createServer: async () => (await createMcpServer(options)).server, host: args.host, port, token: env.GONDOLA_MCP_TOKEN })
        process.stderr.write(`gondola mcp: Streamable HTTP at ${http.url}\n`)
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
