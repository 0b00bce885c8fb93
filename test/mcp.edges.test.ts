import { execFile } from 'node:child_process'
import { request } from 'node:http'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressBookContracts } from '../src/chain/addressBook.js'
import { ledgerPathIn } from '../src/mcp/context.js'
import { createMcpServer } from '../src/mcp/createMcpServer.js'
import { McpRemoteBindError } from '../src/mcp/frontDoor.js'
import { serveMcpHttp } from '../src/mcp/http.js'
import { PlanChangedError, signOnly } from '../src/mcp/plans.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { createPolicy } from '../src/wallet/policy/policy.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { rpcProxy } from './helpers/rpcProxy.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const run = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const TOKEN = 'edge-token-0123456789abcdefghijkl'

type World = Awaited<ReturnType<typeof provisionedWallet>>
let world: World
let http: Awaited<ReturnType<typeof serveMcpHttp>>
/** The session table's clock: moved by the expiry tests. */
let clock = Date.now()

const text = (r: unknown): string =>
  ((r as CallToolResult).content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => (c as { text: string }).text)
    .join('\n')
const json = (r: unknown) => JSON.parse(text(r)) as Record<string, any>
const nonce = () => devnet().publicClient.getTransactionCount({ address: world.wallet.address })

async function httpClient(o: { elicit?: (message: string) => Promise<{ action: 'accept' | 'decline'; content?: Record<string, unknown> }> } = {}) {
  const client = new Client({ name: 'edge', version: '1' }, { capabilities: o.elicit ? { elicitation: {} } : {} })
  if (o.elicit) client.setRequestHandler(ElicitRequestSchema, async (req) => o.elicit!(req.params.message))
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }))
  return client
}

/** Another trader swaps on the same devnet pool: the price the plan was made at is gone. */
async function moveTheMarket() {
  const other = await testWallet(devnet(), { eth: parseEther('1') })
  await swapEthForVvv(other, { amountIn: parseEther('0.04') })
}

/** A raw HTTP request with headers fetch would not let us set (Host). */
function raw(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(http.url)
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
  })
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, ...headers },
      },
      (res) => {
        let data = ''
        res.on('data', (c: Buffer) => (data += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

beforeAll(async () => {
  world = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['mcp'], stakeSvvv: parseEther('20') })
  const wallet = Object.assign(world.wallet, {
    policy: createPolicy({
      maxEthPerSwap: parseEther('0.05'),
      maxEthPerDay: parseEther('0.5'),
      maxSlippageBps: 50,
      allowlist: addressBookContracts(devnet().addresses),
    }),
  })
  http = await serveMcpHttp({
    createServer: async () =>
      (await createMcpServer({ wallet, store: world.store, baseURL: emulator().baseURL, ledgerPath: ledgerPathIn(world.stateDir), characters: false })).server,
    token: TOKEN,
    sessions: { idleMs: 60_000, max: 3, now: () => clock },
  })
})
afterAll(async () => {
  await http?.close()
})

describe('"exactly as planned" is exact', () => {
  it('the market moves between plan and confirm: nothing is sent, the change is shown, and the new plan sends its own bytes', async () => {
    const client = await httpClient()
    const before = await nonce()
    const plan = json(await client.callTool({ name: 'swap_eth_for_vvv', arguments: { eth: '0.01' } }))
    expect(plan.steps[0].data).toMatch(/^0x[0-9a-f]+$/)
    await moveTheMarket()

    const refused = json(await client.callTool({ name: 'confirm_plan', arguments: { planId: plan.planId } }))
    expect(refused.sent).toBe(false)
    expect(await nonce()).toBe(before)
    const change = (refused.changes as { field: string; planned: string; now: string }[]).find((c) => c.field.endsWith('amountOutMinimum'))!
    expect(BigInt(change.now)).toBeLessThan(BigInt(change.planned))
    expect(refused.planId).not.toBe(plan.planId)
    expect(refused.steps[0].data).not.toBe(plan.steps[0].data)
    // The old plan is gone; the new one goes out byte for byte.
    expect((await client.callTool({ name: 'confirm_plan', arguments: { planId: plan.planId } })).isError).toBe(true)
    const sent = json(await client.callTool({ name: 'confirm_plan', arguments: { planId: refused.planId } }))
    expect(sent.sent).toBe(true)
    const tx = await devnet().publicClient.getTransaction({ hash: sent.result.hash })
    expect(tx.input).toBe(refused.steps[0].data)
    expect(await nonce()).toBe(before + 1)
    await client.close()
  })

  it('an elicitation client is asked again, shown what changed, when the market moves while it is asked', async () => {
    const asked: string[] = []
    const client = await httpClient({
      elicit: async (m) => {
        asked.push(m)
        if (asked.length === 1) await moveTheMarket()
        return { action: 'accept', content: { confirm: true } }
      },
    })
    const before = await nonce()
    const r = json(await client.callTool({ name: 'swap_eth_for_vvv', arguments: { eth: '0.01' } }))
    expect(asked).toHaveLength(2)
    expect(asked[1]).toMatch(/Changed since you were last asked: swap params\.amountOutMinimum \d+ → \d+/)
    expect(r.sent).toBe(true)
    expect(await nonce()).toBe(before + 1)
    await client.close()
  })

  it('at the signing chokepoint, a transaction whose bytes differ from the plan is never signed', async () => {
    const dry = await swapEthForVvv({ ...world.wallet, dryRun: true }, { amountIn: parseEther('0.01') })
    await moveTheMarket()
    const before = await nonce()
    const guarded = { ...world.wallet, hooks: { beforeSign: signOnly(dry.steps) } }
    await expect(swapEthForVvv(guarded, { amountIn: parseEther('0.01') })).rejects.toBeInstanceOf(PlanChangedError)
    expect(await nonce()).toBe(before)
    // Unchanged bytes pass the same guard.
    const fresh = await swapEthForVvv({ ...world.wallet, dryRun: true }, { amountIn: parseEther('0.01') })
    await swapEthForVvv({ ...world.wallet, hooks: { beforeSign: signOnly(fresh.steps) } }, { amountIn: parseEther('0.01') })
    expect(await nonce()).toBe(before + 1)
  })
})

describe('--http front door: Origin and Host (DNS rebinding)', () => {
  it('refuses a foreign Origin or Host with 403, before the token is even looked at; its own origin is served', async () => {
    const port = new URL(http.url).port
    const evil = await raw({ origin: 'http://evil.example' })
    expect(evil.status).toBe(403)
    expect(JSON.parse(evil.body).error.message).toBe('Forbidden: Origin "http://evil.example" is not this server.')
    expect((await raw({ host: `rebind.evil.example:${port}` })).status).toBe(403)
    expect((await raw({ origin: `http://127.0.0.1:${Number(port) + 1}` })).status).toBe(403)
    expect((await raw({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200)
    expect((await raw({ host: `127.0.0.1:${port}` })).status).toBe(200)
  })

  it('refuses a non-loopback bind unless remote access is asked for, and prints the address it really listens on', async () => {
    await expect(
      serveMcpHttp({
        createServer: async () => {
          throw new Error('unused')
        },
        host: '0.0.0.0',
      }),
    ).rejects.toBeInstanceOf(McpRemoteBindError)
    const remote = await serveMcpHttp({
      createServer: async () => {
        throw new Error('unused')
      },
      host: '0.0.0.0',
      allowRemote: true,
    })
    expect(remote.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/mcp$/)
    await remote.close()
    const cli = (await run(process.execPath, ['bin/gondola.js', 'mcp', '--http', '--host', '0.0.0.0'], {
      env: { ...process.env, GONDOLA_LOG_LEVEL: 'error' },
    }).catch((e: unknown) => e)) as { code: number; stderr: string }
    expect(cli.code).toBe(2)
    expect(cli.stderr).toMatch(/--host 0\.0\.0\.0 would serve MCP beyond this machine; refused\. .*--allow-remote/)
  })
})

describe('--http sessions are bounded', () => {
  it('a session idle past its TTL is closed; its next request is told to start over', async () => {
    await http.sweepSessions()
    const a = await httpClient()
    expect(http.sessionCount()).toBeGreaterThanOrEqual(1)
    clock += 60_000
    expect(await http.sweepSessions()).toBeGreaterThanOrEqual(1)
    expect(http.sessionCount()).toBe(0)
    await expect(a.listTools()).rejects.toThrow(/Session not found/)
  })

  it('over the cap the least recently used idle session is evicted; when all are busy a new one is refused', async () => {
    clock += 120_000
    await http.sweepSessions()
    const [a, b, c] = [await httpClient(), await httpClient(), await httpClient()]
    clock += 1
    await b.listTools()
    await c.listTools()
    const d = await httpClient()
    expect(http.sessionCount()).toBe(3)
    await expect(a.listTools()).rejects.toThrow(/Session not found/)
    await b.listTools() // still alive

    // 100 more initializations never grow the table past the cap (each evicts the oldest idle one).
    for (let i = 0; i < 100; i++) expect((await raw({})).status).toBe(200)
    expect(http.sessionCount()).toBe(3)

    // Three sessions each waiting on the user (a tool call in flight): a fourth is refused, clearly.
    clock += 120_000
    await http.sweepSessions()
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    const waiting = await Promise.all([0, 1, 2].map(() => httpClient({ elicit: async () => (await released, { action: 'decline' }) })))
    const calls = waiting.map((w) => w.callTool({ name: 'stake_vvv', arguments: { vvv: '0.001' } }))
    await devnet().fund(world.wallet.address, { vvv: parseEther('1') })
    await new Promise((r) => setTimeout(r, 200))
    while (http.sessionCount() < 3) await new Promise((r) => setTimeout(r, 20))
    const refused = await raw({})
    expect(refused.status).toBe(503)
    expect(refused.body).toMatch(/Too many live sessions \(3, all busy\)/)
    release()
    await Promise.all(calls)
    for (const w of [b, c, d, ...waiting]) await w.close().catch(() => {})
  })
})

describe('tool results and annotations', () => {
  it('quote_swap shows gas as an integer, the gas cost in wei and the base fee in gwei, units named', async () => {
    const client = await httpClient()
    const q = json(await client.callTool({ name: 'quote_swap', arguments: { eth: '0.01' } }))
    const best = q.comparison.best as Record<string, string>
    expect(best.gas).toMatch(/^\d{4,}$/)
    expect(best.gasCostWei).toMatch(/^\d+$/)
    expect(q.comparison.baseFeeGwei).toMatch(/^\d+(\.\d+)?$/)
    expect(q.comparison).not.toHaveProperty('baseFee')
    expect(Number(q.amountOut)).toBeGreaterThan(0)
    await client.close()
  })

  it('every tool carries readOnlyHint and destructiveHint; read tools are read-only, money tools destructive', async () => {
    const client = await httpClient()
    const tools = (await client.listTools()).tools
    for (const t of tools) {
      expect(typeof t.annotations?.readOnlyHint, t.name).toBe('boolean')
      expect(typeof t.annotations?.destructiveHint, t.name).toBe('boolean')
    }
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]))
    for (const name of ['get_wallet_balances', 'get_runway', 'quote_swap', 'list_keys', 'get_ledger']) expect(hints[name]?.readOnlyHint, name).toBe(true)
    for (const name of ['swap_eth_for_vvv', 'stake_vvv', 'confirm_plan', 'revoke_key'])
      expect(hints[name], name).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    await client.close()
  })

  it("mint_inference_key is capped by the server's key policy: too much Diem, or a period not allowed, mints nothing", async () => {
    const client = await httpClient()
    const keys = world.store.keys().length
    const lifetime = await client.callTool({ name: 'mint_inference_key', arguments: { agent: 'greedy', diem: 1_000_000, period: 'LIFETIME' } })
    expect(lifetime.isError).toBe(true)
    expect(text(lifetime)).toMatch(/A LIFETIME limit is not allowed .*allowed: EPOCH, MONTH.*\(code MCP_KEY_PERIOD\)/)
    const much = await client.callTool({ name: 'mint_inference_key', arguments: { agent: 'greedy', diem: 1_000_000 } })
    expect(much.isError).toBe(true)
    expect(text(much)).toMatch(/1000000 Diem per period is over this server's limit of 5 Diem per key; nothing was minted/)
    expect(world.store.keys().length).toBe(keys)
    const ok = json(await client.callTool({ name: 'mint_inference_key', arguments: { agent: 'modest', diem: 5, period: 'MONTH' } }))
    expect(ok.minted.limitPeriod).toBe('MONTH')
    await client.close()
  })
})

describe('an RPC outage at start-up (gondola mcp over stdio)', () => {
  it('starts anyway, reports the outage in tool results and gondola://status without the URL key, and recovers', async () => {
    const proxy = await rpcProxy(devnet().rpcUrl)
    const url = proxy.url
    await proxy.cut()
    await publishDevnet(world.stateDir, devnet(), emulator().baseURL)
    const env = {
      ...process.env,
      GONDOLA_STATE_DIR: world.stateDir,
      GONDOLA_PRIVATE_KEY: world.wallet.privateKey,
      GONDOLA_KEYSTORE_PASSWORD: '',
      GONDOLA_LOG_LEVEL: 'warn',
      DEVNET_RPC_URL: url,
    } as Record<string, string>
    const transport = new StdioClientTransport({ command: process.execPath, args: [join(process.cwd(), 'bin/gondola.js'), 'mcp'], env, stderr: 'pipe' })
    const stderr: string[] = []
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()))
    const client = new Client({ name: 'outage', version: '1' })
    const seen: string[] = []
    try {
      await client.connect(transport)
      const down = await client.callTool({ name: 'get_wallet_balances', arguments: {} })
      expect(down.isError).toBe(true)
      expect(text(down)).toMatch(/The chain RPC could not be reached .*\/v2\/\*\*\*\?apikey=\*\*\*.*\(code MCP_RPC_UNAVAILABLE\)/)
      const status = JSON.parse(((await client.readResource({ uri: 'gondola://status' })).contents[0] as { text: string }).text) as {
        wallet: string
        rpc: { ok: boolean; error?: string }
        balances: unknown
      }
      expect(status.wallet).toBe(world.wallet.address)
      expect(status.rpc.ok).toBe(false)
      expect(status.rpc.error).toMatch(/chain RPC could not be reached/)
      expect(status.balances).toBeNull()
      seen.push(text(down), JSON.stringify(status))

      await proxy.restore()
      const up = await client.callTool({ name: 'get_wallet_balances', arguments: {} })
      expect(up.isError, text(up)).toBeFalsy()
      expect(Number(json(up).eth)).toBeGreaterThan(0)
      const after = JSON.parse(((await client.readResource({ uri: 'gondola://status' })).contents[0] as { text: string }).text) as { rpc: { ok: boolean } }
      expect(after.rpc.ok).toBe(true)
    } finally {
      await client.close()
      await proxy.stop()
    }
    const all = [...seen, stderr.join('')].join('\n')
    expect(all).toMatch(/RPC unreachable at start/)
    expect(all).not.toContain('SECRETPROVIDERKEY0123456789abcdef')
    expect(all).not.toContain('SECRETQUERYKEY42')
  })
})
