/**
 * Issue 15: what Gondola costs inside other hosts.
 * - MCP: a tool call through the SDK client over Streamable HTTP vs calling the same tool handler directly
 *   (`get_wallet_balances`, one multicall read on the devnet).
 * - The self-funding fetch: an openai SDK chat call through `createSelfFundingFetch` (limiter, headers, ledger) vs
 *   the bare openai SDK, same key, same emulator.
 * Rounds are interleaved and each figure is the median of its rounds.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSelfFundingFetch } from '../../src/adapters/selfFundingFetch.js'
import { startLocalWorld } from '../../devnet/src/devnet/startLocalWorld.js'
import { KeyStore } from '../../src/keys/KeyStore.js'
import { provision } from '../../src/keys/provision.js'
import { createMcpServer, mcpTools } from '../../src/mcp/createMcpServer.js'
import { createMcpContext } from '../../src/mcp/context.js'
import { serveMcpHttp } from '../../src/mcp/http.js'
import { createWallet } from '../../src/wallet/createWallet.js'
import type { BenchRow } from './types.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function timeIt(fn: () => Promise<unknown>, n: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < n; i++) await fn()
  return (performance.now() - t) / n
}

export async function bench(): Promise<BenchRow[]> {
  const world = await startLocalWorld({ emulator: { chainCacheMs: 0 } })
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-bench-hosts-'))
  try {
    const account = privateKeyToAccount(generatePrivateKey())
    await world.devnet.fund(account.address, { eth: parseEther('1') })
    const wallet = await createWallet({ account, publicClient: world.devnet.publicClient, addresses: world.devnet.addresses, stateDir })
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
    const { agents } = await provision({ wallet, baseURL: world.veniceBaseUrl, store, agents: ['mcp'], stakeSvvv: parseEther('20'), diemPerAgent: 100 })
    const apiKey = store.reveal(agents[0]!.key!.id)

    // MCP vs direct
    const options = { wallet, store, baseURL: world.veniceBaseUrl }
    const direct = mcpTools(createMcpContext(options)).find((t) => t.name === 'get_wallet_balances')!
    const http = await serveMcpHttp({
      createServer: async () => (await createMcpServer({ ...options, characters: false })).server,
      token: 'bench-token-0123456789abcdefgh',
    })
    const client = new Client({ name: 'bench', version: '1' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: 'Bearer bench-token-0123456789abcdefgh' } } }),
    )
    const viaMcp: number[] = []
    const viaDirect: number[] = []
    for (let round = 0; round < 7; round++) {
      viaDirect.push(await timeIt(() => Promise.resolve(direct.handler({}, { agent: 'bench' })), 20))
      viaMcp.push(await timeIt(() => client.callTool({ name: 'get_wallet_balances', arguments: {} }), 20))
    }
    await client.close()
    await http.close()

    // Self-funding fetch vs bare openai
    const bare = new OpenAI({ baseURL: world.veniceBaseUrl, apiKey, maxRetries: 0 })
    const funded = createSelfFundingFetch({ baseURL: world.veniceBaseUrl, apiKey })
    const wrapped = new OpenAI({ baseURL: world.veniceBaseUrl, apiKey: 'set-by-gondola', fetch: funded.fetch, maxRetries: 0 })
    const body = { model: 'qwen3-4b', messages: [{ role: 'user' as const, content: 'One short sentence about canals.' }], max_completion_tokens: 16 }
    const viaBare: number[] = []
    const viaWrapped: number[] = []
    for (let round = 0; round < 7; round++) {
      viaBare.push(await timeIt(() => bare.chat.completions.create(body), 40))
      viaWrapped.push(await timeIt(() => wrapped.chat.completions.create(body), 40))
    }
    funded.close()

    return [
      {
        issue: 15,
        metric: 'MCP tool call (Streamable HTTP, get_wallet_balances) vs the same handler called directly',
        value: median(viaMcp),
        unit: 'ms',
        baseline: median(viaDirect),
        goal: 'report',
      },
      {
        issue: 15,
        metric: 'openai chat call through the self-funding fetch vs the bare openai SDK (median of 7 × 40)',
        value: median(viaWrapped),
        unit: 'ms',
        baseline: median(viaBare),
        goal: 'report',
      },
    ]
  } finally {
    await world.stop()
    await rm(stateDir, { recursive: true, force: true })
  }
}
