import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { provision } from '../src/keys/provision.js'
import { createWallet } from '../src/wallet/createWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })

async function freshWallet(options: { dryRun?: boolean } = {}) {
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-boot-'))
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet().fund(account.address, { eth: parseEther('1') })
  const wallet = await createWallet({ account, publicClient: devnet().publicClient, addresses: devnet().addresses, stateDir, ...options })
  const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
  return { wallet, store, stateDir, account }
}

function countingFetch() {
  const calls: string[] = []
  const f: typeof fetch = (input, init = {}) => {
    calls.push(`${init.method ?? 'GET'} ${new URL(String(input instanceof Request ? input.url : input)).pathname.replace('/api/v1', '')}`)
    return fetch(input, init)
  }
  return { fetch: f, calls }
}

describe('provision (the whole bootstrap)', () => {
  it('fresh wallet → staked, ADMIN key kept, one limited INFERENCE key per agent; a second run is a no-op', async () => {
    const { wallet, store } = await freshWallet()
    const first = countingFetch()
    const params = { wallet, baseURL: emulator().baseURL, store, agents: ['treasurer', 'social-bot'], stakeSvvv: parseEther('20'), diemPerAgent: 0.5 }
    const r1 = await provision({ ...params, fetch: first.fetch })
    expect(r1.stake.status).toBe('confirmed')
    expect(r1.stake.hashes).toHaveLength(3) // swap, approve, stake
    expect(r1.admin.status).toBe('minted')
    expect(r1.agents.map((a) => [a.agent, a.status, a.key?.consumptionLimit.diem])).toEqual([
      ['treasurer', 'minted', 0.5],
      ['social-bot', 'minted', 0.5],
    ])
    expect(first.calls.filter((c) => c.startsWith('POST'))).toHaveLength(3)

    const second = countingFetch()
    const r2 = await provision({ ...params, store: await KeyStore.open({ path: store.path }), fetch: second.fetch })
    expect(r2.stake).toMatchObject({ status: 'already', hashes: [] })
    expect([r2.admin.status, ...r2.agents.map((a) => a.status)]).toEqual(['kept', 'kept', 'kept'])
    expect(second.calls.filter((c) => c.startsWith('POST'))).toEqual([])
    expect(second.calls).toEqual([`GET /api_keys/${r1.admin.key!.id}`, 'GET /api_keys'])
  })

  it('--dry-run plans the transactions and requests and sends none', async () => {
    const { wallet, store, account } = await freshWallet({ dryRun: true })
    const counter = countingFetch()
    const nonceBefore = await devnet().publicClient.getTransactionCount({ address: account.address })
    const r = await provision({
      wallet,
      baseURL: emulator().baseURL,
      store,
      agents: ['treasurer'],
      stakeSvvv: parseEther('20'),
      diemPerAgent: 1,
      dryRun: true,
      fetch: counter.fetch,
    })
    expect(r.stake.status).toBe('planned')
    expect(r.stake.swap?.amountOut).toBe(parseEther('20'))
    expect([r.admin.status, r.agents[0]?.status]).toEqual(['planned', 'planned'])
    expect(r.plannedRequests.filter((x) => x.startsWith('POST'))).toHaveLength(2)
    // The exact transactions: swap ETH → VVV, approve exactly the stake for staking, stake for self.
    const { vvv, staking, swapRouter } = devnet().addresses
    const [swap, approve, stake, ...more] = r.stake.steps
    expect(more).toEqual([])
    expect(swap).toMatchObject({ name: 'swap', status: 'planned', to: swapRouter, functionName: 'exactInputSingle', simulated: true })
    expect(parseEther(swap!.value)).toBe(r.stake.swap!.amountIn)
    expect(parseEther(swap!.value)).toBeGreaterThan(0n)
    expect(swap!.args).toMatchObject({
      params: { tokenIn: devnet().addresses.weth, tokenOut: vvv, recipient: account.address, amountIn: r.stake.swap!.amountIn.toString() },
    })
    expect(approve).toMatchObject({
      name: 'approve',
      status: 'planned',
      to: vvv,
      value: '0',
      functionName: 'approve',
      args: { spender: staking, amount: parseEther('20').toString() },
    })
    // The wallet holds no VVV until the swap is sent, so the stake cannot be simulated on its own.
    expect(stake).toMatchObject({
      name: 'stake',
      status: 'planned',
      to: staking,
      value: '0',
      functionName: 'stake',
      args: { recipient: account.address, amount: parseEther('20').toString() },
      simulated: false,
    })
    expect(r.stake.steps.every((s) => s.hash === undefined)).toBe(true)
    expect(counter.calls).toEqual([])
    expect(await devnet().publicClient.getTransactionCount({ address: account.address })).toBe(nonceBefore)
    expect(store.keys()).toEqual([])
  })

  it('replaces a kept key that Venice no longer knows', async () => {
    const { wallet, store } = await freshWallet()
    const params = { wallet, baseURL: emulator().baseURL, store, agents: ['treasurer'], stakeSvvv: parseEther('5'), diemPerAgent: 1 }
    const r1 = await provision(params)
    const { createVeniceClient } = await import('../src/venice/createVeniceClient.js')
    await createVeniceClient({ baseURL: emulator().baseURL, apiKey: store.reveal(r1.admin.key!.id) }).deleteApiKey(r1.agents[0]!.key!.id)
    const r2 = await provision(params)
    expect(r2.agents[0]?.status).toBe('minted')
    expect(r2.agents[0]?.key?.id).not.toBe(r1.agents[0]?.key?.id)
  })
})
