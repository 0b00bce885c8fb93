import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { ensureStake } from '../src/wallet/actions/ensureStake.js'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { ReceiptTimeoutError } from '../src/wallet/errors.js'
import { useDevnet } from './helpers/useDevnet.js'
import { testWallet } from './helpers/testWallet.js'

const devnet = useDevnet()

class Crash extends Error {}
const crash = () => {
  throw new Crash('simulated crash')
}

/** Mines a block every few ms until `promise` settles (automine is off in these tests). */
async function mineUntil<T>(promise: Promise<T>): Promise<T> {
  let done = false
  const result = promise.finally(() => {
    done = true
  })
  while (!done) {
    await devnet().testClient.mine({ blocks: 1 })
    await new Promise((r) => setTimeout(r, 20))
  }
  return result
}

const nonceOf = (address: `0x${string}`) => devnet().publicClient.getTransactionCount({ address })

describe('crash safety', () => {
  it('crash after broadcast, before the receipt is recorded: the re-run waits for the same swap, never sends a second', async () => {
    const first = await testWallet(devnet(), { eth: parseEther('1'), hooks: { afterBroadcast: crash } })
    await expect(swapEthForVvv(first, { amountIn: parseEther('0.01') })).rejects.toBeInstanceOf(Crash)
    const journal = JSON.parse(await readFile(first.journal.path, 'utf8'))
    expect(journal.runs[0].steps[0].status).toBe('signed')

    const again = await testWallet(devnet(), { privateKey: first.privateKey, stateDir: first.stateDir })
    const r = await swapEthForVvv(again, { amountIn: parseEther('0.01') })
    expect(r.resumed).toBe(true)
    expect(r.hash).toBe(journal.runs[0].steps[0].hash)
    expect(await nonceOf(first.address)).toBe(1)
    expect((await getBalances(again)).vvv).toBe(r.amountOut)
    // The run is closed: the same call now means a new swap.
    const next = await swapEthForVvv(again, { amountIn: parseEther('0.01') })
    expect(next.resumed).toBe(false)
    expect(await nonceOf(first.address)).toBe(2)
  })

  it('crash after signing, before broadcast: the re-run broadcasts the journaled bytes (same hash, one tx)', async () => {
    const first = await testWallet(devnet(), { eth: parseEther('1'), hooks: { afterSign: crash } })
    await expect(swapEthForVvv(first, { amountIn: parseEther('0.01') })).rejects.toBeInstanceOf(Crash)
    expect(await nonceOf(first.address)).toBe(0)
    const signedHash = first.journal.runs()[0]!.steps[0]!.hash
    const again = await testWallet(devnet(), { privateKey: first.privateKey, stateDir: first.stateDir })
    const r = await swapEthForVvv(again, { amountIn: parseEther('0.01') })
    expect(r.hash).toBe(signedHash)
    expect(await nonceOf(first.address)).toBe(1)
  })

  it('ensureStake killed with the swap pending in the mempool: the re-run waits for it and sends only approve + stake', async () => {
    await devnet().testClient.setAutomine(false)
    try {
      const first = await testWallet(devnet(), { eth: parseEther('1'), hooks: { afterBroadcast: crash } })
      await expect(ensureStake(first, { targetSvvv: parseEther('10') })).rejects.toBeInstanceOf(Crash)
      const pending = await devnet().publicClient.getTransactionCount({ address: first.address, blockTag: 'pending' })
      expect(pending).toBe(1)
      expect(await nonceOf(first.address)).toBe(0) // not mined yet

      const again = await testWallet(devnet(), { privateKey: first.privateKey, stateDir: first.stateDir })
      const r = await mineUntil(ensureStake(again, { targetSvvv: parseEther('10') }))
      expect(r.swap).toBeUndefined() // the interrupted swap was awaited, not repeated
      expect(r.hashes).toHaveLength(2) // approve + stake
      expect(await nonceOf(first.address)).toBe(3)
      expect((await getBalances(again)).svvv.total).toBe(parseEther('10'))
    } finally {
      await devnet().testClient.setAutomine(true)
    }
  })

  it('ensureStake killed after the stake was broadcast: the re-run sends nothing', async () => {
    let sends = 0
    const first = await testWallet(devnet(), {
      eth: parseEther('1'),
      vvv: parseEther('10'),
      hooks: { afterBroadcast: (s) => (++sends === 2 && s.name === 'stake' ? crash() : undefined) },
    })
    await expect(ensureStake(first, { targetSvvv: parseEther('10') })).rejects.toBeInstanceOf(Crash)
    const again = await testWallet(devnet(), { privateKey: first.privateKey, stateDir: first.stateDir })
    const r = await ensureStake(again, { targetSvvv: parseEther('10') })
    expect(r.status).toBe('already')
    expect(await nonceOf(first.address)).toBe(2)
  })

  it('a receipt timeout leaves the tx journaled; the re-run resumes it', async () => {
    await devnet().testClient.setAutomine(false)
    try {
      const first = await testWallet(devnet(), { eth: parseEther('1'), receiptTimeoutMs: 150 })
      const err = await swapEthForVvv(first, { amountIn: parseEther('0.01') }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ReceiptTimeoutError)
      expect((err as ReceiptTimeoutError).metaMessages[0]).toMatch(/Run the same command again/)
      const again = await testWallet(devnet(), { privateKey: first.privateKey, stateDir: first.stateDir })
      const r = await mineUntil(swapEthForVvv(again, { amountIn: parseEther('0.01') }))
      expect(r.resumed).toBe(true)
      expect(await nonceOf(first.address)).toBe(1)
    } finally {
      await devnet().testClient.setAutomine(true)
    }
  })

  it('a real SIGKILL after broadcast: the next process resumes without a second swap', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const script = `
      import { privateKeyToAccount } from 'viem/accounts'
      import { createPublicClient, http, parseEther } from 'viem'
      import { createWallet } from './src/wallet/createWallet.ts'
      import { swapEthForVvv } from './src/wallet/actions/swapEthForVvv.ts'
      const a = JSON.parse(process.env.ARGS)
      const wallet = await createWallet({ account: privateKeyToAccount(a.key), publicClient: createPublicClient({ transport: http(a.rpc) }),
        addresses: a.addresses, stateDir: a.stateDir, pollingIntervalMs: 20, hooks: { afterBroadcast: () => process.kill(process.pid, 'SIGKILL') } })
      await swapEthForVvv(wallet, { amountIn: parseEther('0.01') })
    `
    const args = JSON.stringify({ key: w.privateKey, rpc: devnet().rpcUrl, addresses: devnet().addresses, stateDir: w.stateDir })
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ARGS: args }, stdio: 'ignore' })
      child.on('exit', (_code, sig) => resolve(sig))
    })
    expect(signal).toBe('SIGKILL')
    expect(await nonceOf(w.address)).toBe(1) // broadcast happened before the kill
    const again = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: w.stateDir })
    const r = await swapEthForVvv(again, { amountIn: parseEther('0.01') })
    expect(r.resumed).toBe(true)
    expect(await nonceOf(w.address)).toBe(1)
  })
})
