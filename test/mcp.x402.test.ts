import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { erc20Abi, parseEther, parseUnits } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalWorld, type LocalWorld } from '../devnet/src/devnet/startLocalWorld.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { ledgerPathIn } from '../src/mcp/context.js'
import { createMcpServer } from '../src/mcp/createMcpServer.js'
import { x402TopUpApi } from '../src/runtime/openX402.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { SIWX_HEADER } from '../src/venice/siwx.js'
import { createWallet } from '../src/wallet/createWallet.js'
import { topUpX402 } from '../src/wallet/x402/topUpX402.js'

// `gondola mcp --pay x402` in process: the MCP SDK client over an in-memory transport, the server's venice_* tools
// signed in with SIWX by its wallet on a real anvil and the emulator over HTTP, credits bought by a real x402 top-up.
let world: LocalWorld
beforeAll(async () => {
  world = await startLocalWorld()
}, 120_000)
afterAll(() => world?.stop())

describe('MCP venice_* tools on x402: SIWX, no API key, charged to the credits, a 402 says how to top up', () => {
  it('top up $5, venice_chat charges the credits by its reported cost, status shows them, a 402 is a tool error, no header leaks', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    await world.devnet.fund(account.address, { eth: parseEther('1'), usdc: parseUnits('6', 6) })
    const wallet = await createWallet({ account, publicClient: world.devnet.publicClient, addresses: world.devnet.addresses, pollingIntervalMs: 20 })
    // The credits are bought the way the CLI's `gondola x402 topup --usd 5` buys them: one x402 payment under the policy.
    const venice = createVeniceClient({ baseURL: world.veniceBaseUrl, siwx: { signer: wallet.signer, chainId: wallet.chainId }, maxRetries: 0 })
    const policy = {
      maxUsdcPerTopUp: parseUnits('20', 6),
      maxUsdcPerDay: parseUnits('50', 6),
      assets: [world.devnet.addresses.usdc!],
      payees: [world.emulator.x402.payTo],
    }
    const topUp = await topUpX402(wallet, { api: x402TopUpApi(venice), policy, amount: parseUnits('5', 6) })
    expect(topUp.newBalanceUsd).toBe(5)

    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-mcp-x402-'))
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
    // Every request the server sends, as it leaves: which auth it carried, and each SIWX header (to look for later).
    const sent: { auth: string | null; siwx: string | null; path: string }[] = []
    const spy: typeof fetch = async (input, init) => {
      const h = new Headers(init?.headers)
      sent.push({ auth: h.get('authorization'), siwx: h.get(SIWX_HEADER), path: new URL(String(input instanceof Request ? input.url : input)).pathname })
      return fetch(input, init)
    }
    const { server } = await createMcpServer({ wallet, store, baseURL: world.veniceBaseUrl, pay: 'x402', fetch: spy, ledgerPath: ledgerPathIn(stateDir) })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await server.connect(a)
    const client = new Client({ name: 'test', version: '1' })
    await client.connect(b)
    const seen: string[] = []
    const text = (r: unknown): string => {
      const t = ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? (c as { text: string }).text : '')).join('\n')
      seen.push(t)
      return t
    }
    const status = async () => {
      const t = ((await client.readResource({ uri: 'gondola://status' })).contents[0] as { text: string }).text
      seen.push(t)
      return JSON.parse(t) as { pay: string; x402Credits: { balanceUsd: number; source: string } }
    }
    try {
      expect((await status()).x402Credits).toMatchObject({ balanceUsd: 5, source: 'balance' })

      const chat = await client.callTool({ name: 'venice_chat', arguments: { prompt: 'Say hello.', model: 'qwen3-4b' } })
      expect(chat.isError).toBeFalsy()
      const r = JSON.parse(text(chat)) as { text: string; costUsd: number; creditsLeftUsd: number; costDiem?: number }
      expect(r.text.length).toBeGreaterThan(0)
      expect(r.costUsd).toBeGreaterThan(0)
      expect(r.costDiem).toBeUndefined()
      // The credits went down by the reported cost, at Venice and in the result (X-Balance-Remaining).
      const after = (await venice.getX402Balance(wallet.address)).balanceUsd
      expect(after).toBeCloseTo(5 - r.costUsd, 6)
      expect(r.creditsLeftUsd).toBeCloseTo(after, 6)
      const charges = (await venice.getX402Transactions(wallet.address)).transactions.filter((t) => t.type === 'CHARGE')
      expect(charges).toHaveLength(1)
      expect(charges[0]!.amount).toBeCloseTo(-r.costUsd, 6)
      const shown = await status()
      expect(shown.pay).toBe('x402')
      expect(shown.x402Credits.balanceUsd).toBeCloseTo(after, 5) // the figure, rounded to its printed precision
      // get_runway on x402: the credits and their runway at the ledger's x402 burn (the chat is a ledger line paid
      // from credits), the figures `gondola x402 balance` prints from the same ledger.
      type X402View = { credits: { balanceUsd: number }; runway: { wallet: { spendable: number; burnPerHour: number; state: string } } }
      const rw = JSON.parse(text(await client.callTool({ name: 'get_runway', arguments: {} }))) as { x402: X402View }
      const { collectX402Status } = await import('../src/status/collectX402Status.js')
      const { readLedger } = await import('../src/agent/ledger.js')
      const cli = await collectX402Status({ wallet, venice, readSpends: () => readLedger(ledgerPathIn(stateDir)) })
      expect(rw.x402.runway.wallet.state).toBe('draining')
      expect(rw.x402.runway.wallet.burnPerHour).toBe(cli.runway.wallet.burnPerHour)
      expect(rw.x402.runway.wallet.spendable).toBe(cli.runway.wallet.spendable)
      expect(rw.x402.runway.wallet.burnPerHour).toBeCloseTo(r.costUsd, 6) // one call, under an hour ago: its cost per hour

      // No API key exists or was used: the store is empty, every request was signed in with SIWX and carried no bearer.
      expect(store.keys()).toHaveLength(0)
      expect(sent.some((s) => s.path.endsWith('/chat/completions'))).toBe(true)
      for (const s of sent) {
        expect(s.auth).toBeNull()
        expect(s.siwx).toMatch(/^[A-Za-z0-9+/=]{100,}$/)
      }

      // Credits short: a tool error naming the top-up command; the server paid nothing on its own.
      world.emulator.setX402Balance(wallet.address, 0)
      const usdcOf = () =>
        world.devnet.publicClient.readContract({ address: world.devnet.addresses.usdc!, abi: erc20Abi, functionName: 'balanceOf', args: [wallet.address] })
      const usdcBefore = await usdcOf()
      expect(usdcBefore).toBe(parseUnits('1', 6))
      const short = await client.callTool({ name: 'venice_chat', arguments: { prompt: 'Say hello again.', model: 'qwen3-4b' } })
      expect(short.isError).toBe(true)
      expect(text(short)).toMatch(/x402 credits are short.*gondola x402 topup --usd \d+/)
      expect(await usdcOf()).toBe(usdcBefore)
      expect((await venice.getX402Transactions(wallet.address)).transactions.filter((t) => t.type === 'TOP_UP')).toHaveLength(1)

      // The SIWX header (a bearer credential for its lifetime) never appears in a result or resource.
      const headers = sent.map((s) => s.siwx!).filter(Boolean)
      expect(headers.length).toBeGreaterThan(2)
      const all = seen.join('\n')
      for (const h of headers) {
        expect(all).not.toContain(h)
        const { signature } = JSON.parse(Buffer.from(h, 'base64').toString()) as { signature: string }
        expect(all).not.toContain(signature)
      }
    } finally {
      await client.close()
      await server.close()
    }
  }, 60_000)
})
