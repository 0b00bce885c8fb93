import { parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { createChainReader } from '../devnet/src/emulator/chainReader.js'
import { mintDiem } from '../src/wallet/actions/mintDiem.js'
import { stakeDiem } from '../src/wallet/actions/stakeDiem.js'
import { stakeVvv } from '../src/wallet/actions/stakeVvv.js'
import { useDevnet } from './helpers/useDevnet.js'
import { testWallet } from './helpers/testWallet.js'
import { call, expectSpecResponse, useEmulator } from './helpers/useEmulator.js'

// One anvil, two emulators reading it: the rule on (0.1 staked DIEM) and the default (off).
const devnet = useDevnet()
const chain = () => createChainReader({ publicClient: devnet().publicClient, addresses: devnet().addresses })
const strict = useEmulator({ chain, minStakedDiemForDiem: 0.1, chainCacheMs: 0 })
const lenient = useEmulator({ chain, chainCacheMs: 0 })

const balanceOf = async (emulator: typeof strict, owner: Address) => {
  const admin = emulator().createKey(owner, { apiKeyType: 'ADMIN' }).apiKey
  const r = await call(emulator().baseURL, '/billing/balance', { apiKey: admin })
  expectSpecResponse('/billing/balance', 'get', 200, r.json)
  return r.json as { canConsume: boolean; balances: { diem: number; usd: number }; diemEpochAllocation: number }
}
const chat = (emulator: typeof strict, owner: Address) =>
  call(emulator().baseURL, '/chat/completions', {
    apiKey: emulator().createKey(owner).apiKey,
    body: { model: 'qwen3-4b', messages: [{ role: 'user', content: 'hi' }] },
  })

describe('minStakedDiemForDiem (the 0.1 staked DIEM rule)', () => {
  it('makes no Diem spendable below 0.1 staked DIEM (USD pays, or 402), and all of it at 0.1; off by default', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), vvv: parseEther('300') })
    await stakeVvv(w, { amount: parseEther('300') })
    await mintDiem(w, { svvvAmount: parseEther('200') })
    await stakeDiem(w, { amount: parseEther('0.05') })
    const me = w.address

    const below = await balanceOf(strict, me)
    expect(below.diemEpochAllocation).toBeGreaterThan(0.05)
    expect(below).toMatchObject({ canConsume: false, balances: { diem: 0, usd: 0 } })
    const refused = await chat(strict, me)
    expect([refused.status, refused.json.error]).toEqual([402, 'Insufficient USD or Diem balance to complete request'])
    expect(refused.headers.get('x-venice-balance-diem')).toBe('0')
    strict().setUsdBalance(me, 1)
    const usdOnly = await chat(strict, me)
    expect(usdOnly.status).toBe(200)
    expect(usdOnly.json.cost.diem).toBe(0)
    expect(usdOnly.json.cost.usd).toBeGreaterThan(0)

    const off = await balanceOf(lenient, me)
    expect(off.balances.diem).toBeCloseTo(off.diemEpochAllocation, 8)
    expect((await chat(lenient, me)).json.cost.diem).toBeGreaterThan(0)

    await stakeDiem(w, { amount: parseEther('0.05') })
    const at = await balanceOf(strict, me)
    expect(at.balances.diem).toBeGreaterThan(0.1)
    expect(at.balances.diem).toBeCloseTo(at.diemEpochAllocation, 8)
    const paid = await chat(strict, me)
    expect(paid.status).toBe(200)
    expect(paid.json.cost).toMatchObject({ usd: 0 })
    expect(paid.json.cost.diem).toBeGreaterThan(0)
  })
})
