import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { decodeFunctionData, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { swapRouter02Abi } from '../src/chain/abis/index.js'
import { createMcpServer } from '../src/mcp/createMcpServer.js'
import { ledgerPathIn } from '../src/mcp/context.js'
import { serveMcpHttp } from '../src/mcp/http.js'
import { createPolicy } from '../src/wallet/policy/policy.js'
import { addressBookContracts } from '../src/chain/addressBook.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const TOKEN = 'test-token-0123456789abcdefghijkl'

type World = Awaited<ReturnType<typeof provisionedWallet>>
let world: World
let http: Awaited<ReturnType<typeof serveMcpHttp>>
/** Every text a client received, to search for secrets at the end. */
const seen: string[] = []

const text = (r: unknown): string => {
  const t = ((r as CallToolResult).content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('\n')
  seen.push(t)
  return t
}
const json = (r: unknown) => JSON.parse(text(r)) as Record<string, any>
const nonce = () => devnet().publicClient.getTransactionCount({ address: world.wallet.address })

async function httpClient(o: { elicit?: (message: string) => { action: 'accept' | 'decline'; content?: Record<string, unknown> } } = {}) {
  const client = new Client({ name: 'test', version: '1' }, { capabilities: o.elicit ? { elicitation: {} } : {} })
  if (o.elicit) client.setRequestHandler(ElicitRequestSchema, async (req) => o.elicit!(req.params.message))
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }))
  return client
}

beforeAll(async () => {
  world = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['mcp'], stakeSvvv: parseEther('20') })
  // A policy with a 0.05 ETH per-swap cap, as the default.
  const wallet = Object.assign(world.wallet, {
    policy: createPolicy({
      maxEthPerSwap: parseEther('0.05'),
      maxEthPerDay: parseEther('0.2'),
      maxSlippageBps: 50,
      allowlist: addressBookContracts(devnet().addresses),
    }),
  })
  http = await serveMcpHttp({
    createServer: async () =>
      (await createMcpServer({ wallet, store: world.store, baseURL: emulator().baseURL, ledgerPath: ledgerPathIn(world.stateDir) })).server,
    token: TOKEN,
  })
})
afterAll(async () => {
  await http?.close()
})

describe('gondola mcp over Streamable HTTP', () => {
  it('lists every tool, resource and a prompt per Venice character', async () => {
    const client = await httpClient()
    const tools = (await client.listTools()).tools.map((t) => t.name)
    expect(tools).toEqual(
      expect.arrayContaining([
        'get_wallet_balances',
        'get_runway',
        'quote_swap',
        'swap_eth_for_vvv',
        'stake_vvv',
        'claim_and_stake',
        'mint_and_stake_diem',
        'confirm_plan',
        'mint_inference_key',
        'list_keys',
        'revoke_key',
        'venice_chat',
        'venice_image',
        'venice_speech',
        'venice_embeddings',
        'get_ledger',
      ]),
    )
    const resources = (await client.listResources()).resources.map((r) => r.uri)
    expect(resources).toEqual(expect.arrayContaining(['gondola://status', 'gondola://ledger', 'gondola://keys', 'gondola://characters']))
    const characters = JSON.parse(((await client.readResource({ uri: 'gondola://characters' })).contents[0] as { text: string }).text) as { slug: string }[]
    expect(characters.length).toBeGreaterThan(0)
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name)
    expect(prompts).toContain(`character_${characters[0]!.slug}`.replace(/[^a-zA-Z0-9_-]/g, '_'))
    await client.close()
  })

  it('refuses a swap over the policy cap as a tool error, and sends nothing', async () => {
    const client = await httpClient()
    const before = await nonce()
    const r = await client.callTool({ name: 'swap_eth_for_vvv', arguments: { eth: '1' } })
    expect(r.isError).toBe(true)
    expect(text(r)).toMatch(/cap|exceeds/i)
    expect(text(r).split('\n')).toHaveLength(1)
    expect(await nonce()).toBe(before)
    await client.close()
  })

  it('a dry run plans, sends nothing; confirm_plan sends exactly the planned transactions, once', async () => {
    const client = await httpClient()
    const before = await nonce()
    const plan = json(await client.callTool({ name: 'swap_eth_for_vvv', arguments: { eth: '0.01' } }))
    expect(plan.planId).toMatch(/^[0-9a-f-]{36}$/)
    expect(plan.steps).toHaveLength(1)
    expect(await nonce()).toBe(before)

    const sent = json(await client.callTool({ name: 'confirm_plan', arguments: { planId: plan.planId } }))
    expect(sent.sent).toBe(true)
    expect(await nonce()).toBe(before + plan.steps.length)
    const hash = sent.result.hash as `0x${string}`
    const tx = await devnet().publicClient.getTransaction({ hash })
    expect(tx.to?.toLowerCase()).toBe(String(plan.steps[0].to).toLowerCase())
    expect(tx.value).toBe(parseEther('0.01'))
    expect(decodeFunctionData({ abi: swapRouter02Abi, data: tx.input }).functionName).toBe(plan.steps[0].functionName)

    const again = await client.callTool({ name: 'confirm_plan', arguments: { planId: plan.planId } })
    expect(again.isError).toBe(true)
    expect(text(again)).toMatch(/No pending plan/)
    expect(await nonce()).toBe(before + 1)
    await client.close()
  })

  it('with an elicitation-capable client, the user confirms in the client (yes sends, no does not)', async () => {
    const asked: string[] = []
    await devnet().fund(world.wallet.address, { vvv: parseEther('5') })
    const yes = await httpClient({ elicit: (m) => (asked.push(m), { action: 'accept', content: { confirm: true } }) })
    const before = await nonce()
    const raw = await yes.callTool({ name: 'stake_vvv', arguments: { vvv: '1' } })
    expect(raw.isError, text(raw)).toBeFalsy()
    const r = json(raw)
    expect(asked[0]).toMatch(/Send 2 transaction\(s\)/)
    expect(r.sent).toBe(true)
    // Staking 1 VVV is approve + stake.
    expect(await nonce()).toBe(before + 2)
    await yes.close()

    const no = await httpClient({ elicit: () => ({ action: 'decline' }) })
    const r2 = json(await no.callTool({ name: 'stake_vvv', arguments: { vvv: '1' } }))
    expect(r2.sent).toBe(false)
    expect(r2.planId).toBeUndefined()
    expect(await nonce()).toBe(before + 2)
    // A "no" ends the plan: no pending plan is left, and none of them can be confirmed afterwards.
    const status = JSON.parse(((await no.readResource({ uri: 'gondola://status' })).contents[0] as { text: string }).text) as {
      pendingPlans: { planId: string }[]
    }
    expect(status.pendingPlans).toEqual([])
    await no.close()

    // The same client learns the plan id while the question is open (gondola://status lists pending plans), says
    // no, and then tries to send the plan anyway: refused, nothing sent.
    let seenId: string | undefined
    const client = new Client({ name: 'test', version: '1' }, { capabilities: { elicitation: {} } })
    client.setRequestHandler(ElicitRequestSchema, async () => {
      const s = JSON.parse(((await client.readResource({ uri: 'gondola://status' })).contents[0] as { text: string }).text) as {
        pendingPlans: { planId: string }[]
      }
      seenId = s.pendingPlans[0]?.planId
      return { action: 'decline' }
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }))
    expect(json(await client.callTool({ name: 'stake_vvv', arguments: { vvv: '1' } })).sent).toBe(false)
    expect(seenId).toMatch(/^[0-9a-f-]{36}$/)
    const again = await client.callTool({ name: 'confirm_plan', arguments: { planId: seenId } })
    expect(again.isError).toBe(true)
    expect(text(again)).toMatch(/No pending plan/)
    expect(await nonce()).toBe(before + 2)
    await client.close()
  })

  it('Venice tools run on the server key, report their cost, and charge the ledger', async () => {
    const client = await httpClient()
    const chat = json(await client.callTool({ name: 'venice_chat', arguments: { prompt: 'Say hello in five words.' } }))
    expect(chat.text.length).toBeGreaterThan(0)
    expect(chat.costDiem).toBeGreaterThan(0)
    const emb = json(await client.callTool({ name: 'venice_embeddings', arguments: { input: ['a', 'b'] } }))
    expect(emb.vectors).toHaveLength(2)
    const image = await client.callTool({ name: 'venice_image', arguments: { prompt: 'a gondola', width: 256, height: 256 } })
    expect((image.content as { type: string }[]).map((c) => c.type)).toEqual(['text', 'image'])
    expect(json(image).costDiem).toBeGreaterThan(0)
    const speech = await client.callTool({ name: 'venice_speech', arguments: { text: 'Hello from the canal.' } })
    expect((speech.content as { type: string }[]).some((c) => c.type === 'audio')).toBe(true)
    const ledger = json(await client.callTool({ name: 'get_ledger', arguments: {} }))
    expect(ledger.summary.byAgent.mcp.calls).toBe(4)
    const lines = (await readFile(ledgerPathIn(world.stateDir), 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(4)
    await client.close()
  })

  it('mints a limited key (secret only when asked, shown once), lists redacted keys, refuses to revoke ADMIN', async () => {
    const client = await httpClient()
    const hidden = json(await client.callTool({ name: 'mint_inference_key', arguments: { agent: 'bot01', diem: 0.25 } }))
    expect(hidden.apiKey).toBeUndefined()
    expect(hidden.minted.consumptionLimit.diem).toBe(0.25)
    const shown = json(await client.callTool({ name: 'mint_inference_key', arguments: { agent: 'bot02', diem: 0.5, reveal: true } }))
    expect(shown.apiKey).toBe(world.store.reveal(shown.minted.id))
    expect(shown.notice).toMatch(/only time/)
    seen.pop() // the one intentional reveal
    const keys = json(await client.callTool({ name: 'list_keys', arguments: {} })).keys as { id: string; type: string }[]
    const admin = keys.find((k) => k.type === 'ADMIN')!
    const refused = await client.callTool({ name: 'revoke_key', arguments: { id: admin.id } })
    expect(refused.isError).toBe(true)
    const revoked = json(await client.callTool({ name: 'revoke_key', arguments: { id: hidden.minted.id } }))
    expect(revoked.revoked).toBe(hidden.minted.id)
    await client.close()
  })

  it('no secret appears in any result: keys, private key', async () => {
    const client = await httpClient()
    for (const uri of ['gondola://status', 'gondola://ledger', 'gondola://keys']) seen.push(JSON.stringify(await client.readResource({ uri })))
    text(await client.callTool({ name: 'get_runway', arguments: {} }))
    text(await client.callTool({ name: 'get_wallet_balances', arguments: {} }))
    const all = seen.join('\n')
    for (const k of world.store.keys()) expect(all).not.toContain(world.store.reveal(k.id))
    expect(all).not.toContain(world.wallet.privateKey.slice(2))
    await client.close()
  })

  it('a wrong or missing bearer token gets 401', async () => {
    const post = (auth?: string) =>
      fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
        }),
      })
    expect((await post()).status).toBe(401)
    expect((await post(`Bearer ${TOKEN}x`)).status).toBe(401)
    const client = new Client({ name: 'bad', version: '1' })
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: 'Bearer wrong' } } })),
    ).rejects.toThrow()
  })
})

describe('gondola mcp over stdio (the CLI)', () => {
  it('serves the same tools to the SDK client, and a refusal is a tool error', async () => {
    await publishDevnet(world.stateDir, devnet(), emulator().baseURL)
    const env = {
      ...process.env,
      GONDOLA_STATE_DIR: world.stateDir,
      GONDOLA_PRIVATE_KEY: world.wallet.privateKey,
      GONDOLA_KEYSTORE_PASSWORD: '',
      GONDOLA_LOG_LEVEL: 'error',
    } as Record<string, string>
    const transport = new StdioClientTransport({ command: process.execPath, args: [join(process.cwd(), 'bin/gondola.js'), 'mcp'], env, stderr: 'pipe' })
    const stderr: string[] = []
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()))
    const client = new Client({ name: 'stdio-test', version: '1' })
    await client.connect(transport)
    const tools = (await client.listTools()).tools
    expect(tools.map((t) => t.name)).toContain('confirm_plan')
    expect(tools.find((t) => t.name === 'swap_eth_for_vvv')!.inputSchema.properties).toHaveProperty('eth')
    const before = await nonce()
    const r = await client.callTool({ name: 'swap_eth_for_vvv', arguments: { eth: '5' } })
    expect(r.isError).toBe(true)
    const plan = json(await client.callTool({ name: 'quote_swap', arguments: { eth: '0.001' } }))
    expect(Number(plan.amountOut)).toBeGreaterThan(0)
    expect(await nonce()).toBe(before)
    await client.close()
    expect(stderr.join('')).not.toContain(world.wallet.privateKey.slice(2))
  })
})
