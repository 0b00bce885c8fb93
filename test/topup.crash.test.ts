import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { devnetChain } from '../src/chain/devnetChain.js'
import { finishInterruptedTopUp, requestTopUp, unfinishedTopUps } from '../src/host/walletTopUp.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { reconcileJournal, withWalletLock } from '../src/wallet/send/withRun.js'
import { childWallet } from './helpers/childWallet.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
const HOUR = 3_600_000
const ETH = parseEther('0.01')
const STEPS = ['swap', 'approve', 'stake', 'mintDiem', 'stakeDiem'] as const
const nonceOf = (address: `0x${string}`) => devnet().publicClient.getTransactionCount({ address })

type JournalFile = { runs: Array<{ key: string; intent: string; status: string; steps: Array<{ name: string; status: string; hash: string }> }> }
const journalOf = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as JournalFile

/** A real child process running a top-up (swap, approve, stake, mint DIEM, stake DIEM) that SIGKILLs itself at `hook` of `step`. */
async function killedTopUp(step: string, hook: 'afterSign' | 'afterBroadcast') {
  const w = await testWallet(devnet(), { eth: parseEther('1') })
  const c = childWallet(
    devnet(),
    { key: w.privateKey, stateDir: w.stateDir, extra: { hooks: `{ ${hook}: (s) => { if (s.name === '${step}') kill() } }` } },
    `return await requestTopUp({ wallet, policy: { mintDiem: true, cooldownMs: ${HOUR} } }, { eth: ${ETH}n, reason: 'runway', idempotencyKey: 'topup:killed' })`,
  )
  await c.ready
  c.go()
  return { w, c }
}

describe('an interrupted top-up is finished on the next run (SIGKILL at every step)', () => {
  it('killed after signing and after broadcasting each of the 5 steps: every run completes on resume, each transaction once, inside the funding window', async () => {
    const points = STEPS.flatMap((step) => (['afterSign', 'afterBroadcast'] as const).map((hook) => ({ step, hook })))
    const killed = await Promise.all(points.map((p) => killedTopUp(p.step, p.hook)))
    let completed = 0
    for (const [i, { w, c }] of killed.entries()) {
      const { signal } = await c.result
      expect(signal, `${points[i]!.step}/${points[i]!.hook}`).toBe('SIGKILL')
      const before = await journalOf(w.journal.path)
      expect(before.runs[0]!.status).toBe('open')
      // The next process (another state dir: the journal is the address's) asks for a top-up inside the window.
      const next = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: await mkdtemp(join(tmpdir(), 'gondola-next-')) })
      expect(unfinishedTopUps(next).map((r) => r.key)).toEqual(['topup:killed'])
      const r = await requestTopUp({ wallet: next, policy: { mintDiem: true, cooldownMs: HOUR } }, { eth: ETH, reason: 'runway' })
      expect(r, `${points[i]!.step}/${points[i]!.hook}`).toMatchObject({
        ok: true,
        summary: expect.stringMatching(/^finished an interrupted top-up: swapped 0\.01 ETH/),
      })
      const after = await journalOf(w.journal.path)
      expect(after.runs).toHaveLength(1)
      expect(after.runs[0]!.status).toBe('done')
      expect(after.runs[0]!.steps.map((s) => [s.name, s.status])).toEqual(STEPS.map((s) => [s, 'confirmed']))
      expect(await nonceOf(w.address)).toBe(5) // each of the five transactions exactly once: no double spend
      const b = await getBalances(next)
      expect(b.diem.staked).toBeGreaterThan(0n)
      expect(b.svvv.locked).toBeGreaterThan(0n)
      expect(unfinishedTopUps(next)).toEqual([])
      // Finished, the window now holds.
      expect((await requestTopUp({ wallet: next, policy: { mintDiem: true, cooldownMs: HOUR } }, { eth: ETH, reason: 'runway' })).ok).toBe(false)
      completed++
    }
    expect(completed).toBe(points.length)
  }, 900_000) // ten tsx processes on a shared 2-core machine

  it('a swap signed and never sent whose nonce another transaction took is marked dropped; nothing was paid, so it is not "finished"', async () => {
    const { w, c } = await killedTopUp('swap', 'afterSign')
    expect((await c.result).signal).toBe('SIGKILL')
    expect(await nonceOf(w.address)).toBe(0)
    // Someone else uses nonce 0 with the same key.
    const other = createWalletClient({ account: privateKeyToAccount(w.privateKey), chain: devnetChain(devnet().rpcUrl), transport: http(devnet().rpcUrl) })
    await devnet().publicClient.waitForTransactionReceipt({ hash: await other.sendTransaction({ to: w.address, value: 0n }) })
    const next = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: w.stateDir })
    await withWalletLock(next, () => reconcileJournal(next))
    const j = await journalOf(w.journal.path)
    expect(j.runs[0]!.steps.map((s) => [s.name, s.status])).toEqual([['swap', 'dropped']])
    expect(j.runs[0]!.status).toBe('failed')
    expect(unfinishedTopUps(next)).toEqual([])
    expect(await finishInterruptedTopUp({ wallet: next })).toBeUndefined()
    expect(await nonceOf(w.address)).toBe(1)
    expect((await getBalances(next)).vvv).toBe(0n)
  })

  it('finishInterruptedTopUp (what `gondola run` calls first) completes a top-up killed between mint and stake', async () => {
    const { w, c } = await killedTopUp('stakeDiem', 'afterSign')
    expect((await c.result).signal).toBe('SIGKILL')
    const next = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: w.stateDir })
    const done = await finishInterruptedTopUp({ wallet: next })
    expect(done?.diemStaked).toBeGreaterThan(0n) // the run's own choice (mint DIEM) is kept
    expect(done?.resumedSteps).toEqual(['swap', 'approve', 'stake', 'mintDiem', 'stakeDiem'])
    expect(await nonceOf(w.address)).toBe(5)
  })
})
