import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, custom, parseEther, toHex, type Chain, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { stakeVvv } from '../src/wallet/actions/stakeVvv.js'
import { createWallet } from '../src/wallet/createWallet.js'
import { describe, expect, it } from 'vitest'
import { getBalances } from '../src/wallet/actions/getBalances.js'
import { topUp } from '../src/wallet/actions/topUp.js'
import { InsufficientFundsError } from '../src/wallet/errors.js'
import { gasLimitFor, MAX_GAS_MARGIN } from '../src/wallet/send/gasLimit.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()

/** Wei a set of transactions really cost in gas: Σ gasUsed × effectiveGasPrice from their receipts. */
async function gasCostOf(hashes: readonly `0x${string}`[]): Promise<bigint> {
  let total = 0n
  for (const hash of hashes) {
    const r = await devnet().publicClient.getTransactionReceipt({ hash })
    total += r.gasUsed * r.effectiveGasPrice
  }
  return total
}

describe('gas sized to the call and the balance', () => {
  it('a wallet funded at 1.2× the real gas cost of swap + approve + stake tops up (it failed with 2× + 100k headroom)', async () => {
    const eth = parseEther('0.01')
    // The real cost, measured on an identical top-up by a well-funded wallet.
    const reference = await testWallet(devnet(), { eth: parseEther('1') })
    const measured = await topUp(reference, { eth })
    expect(measured.hashes).toHaveLength(3)
    const cost = await gasCostOf(measured.hashes)

    const thin = await testWallet(devnet(), { eth: eth + (cost * 12n) / 10n })
    const r = await topUp(thin, { eth })
    expect(r.status).toBe('confirmed')
    expect(r.hashes).toHaveLength(3)
    const b = await getBalances(thin)
    expect(b.svvv.total).toBe(r.vvvBought)
    expect(b.eth).toBeGreaterThan(0n)
  })

  it('a wallet that cannot pay value + gas gets the typed InsufficientFundsError before anything is signed', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('0.01') }) // exactly the value: nothing left for gas
    const err = await topUp(w, { eth: parseEther('0.01') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InsufficientFundsError)
    expect((err as InsufficientFundsError).shortMessage).toMatch(/needs .* ETH \(0\.01 value \+ \d+ gas × .* gwei max fee\) but the wallet holds 0\.01 ETH/)
    expect((err as InsufficientFundsError).exitCode).toBe(6)
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(0)
  })

  it('an estimate too low for the block the call lands in: out of gas on chain, re-estimated once, then confirmed', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1'), vvv: parseEther('10') })
    // The RPC boundary answers the first stake estimate with 20k (as a state change between estimate and block would).
    let lowered = 0
    const transport = custom({
      request: async ({ method, params }: { method: string; params?: unknown }) => {
        const data = (params as Array<{ data?: string }> | undefined)?.[0]?.data ?? ''
        if (method === 'eth_estimateGas' && data.startsWith('0xadc9772e') && lowered++ === 0) return toHex(20_000n) // stake(address,uint256)
        return devnet().publicClient.request({ method, params } as never)
      },
    })
    const publicClient = createPublicClient({ transport }) as PublicClient<Transport, Chain | undefined>
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-oog-'))
    const wallet = await createWallet({
      account: privateKeyToAccount(w.privateKey),
      publicClient,
      addresses: devnet().addresses,
      stateDir,
      pollingIntervalMs: 20,
    })
    const r = await stakeVvv(wallet, { amount: parseEther('10') })
    expect(lowered).toBe(2) // the first estimate (lowered) and the re-estimate after out of gas
    expect(r.hashes).toHaveLength(2) // approve + stake (the out-of-gas attempt is not the result)
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(3) // approve, stake (out of gas), stake
    const stake = wallet.journal
      .runs()
      .at(-1)!
      .steps.find((s) => s.name === 'stake')!
    expect(stake.status).toBe('confirmed')
    expect((await getBalances(wallet)).svvv.total).toBe(parseEther('10'))
  })

  it('gasLimitFor: estimate + a bounded margin, capped by the balance, never below the estimate', () => {
    const fee = 1_000_000_000n
    const rich = parseEther('10')
    expect(gasLimitFor({ estimate: 71_000n, value: 0n, balance: rich, maxFeePerGas: fee, label: 'stake' })).toBe(142_000n)
    expect(gasLimitFor({ estimate: 10_000n, value: 0n, balance: rich, maxFeePerGas: fee, label: 'x' })).toBe(35_000n)
    expect(gasLimitFor({ estimate: 1_000_000n, value: 0n, balance: rich, maxFeePerGas: fee, label: 'x' })).toBe(1_000_000n + MAX_GAS_MARGIN)
    // A retry after out of gas doubles the margin.
    expect(gasLimitFor({ estimate: 71_000n, value: 0n, balance: rich, maxFeePerGas: fee, label: 'x', retry: 1 })).toBe(71_000n + 142_000n)
    // Thin: capped to what the balance pays after the value.
    expect(gasLimitFor({ estimate: 100_000n, value: parseEther('1'), balance: parseEther('1') + 120_000n * fee, maxFeePerGas: fee, label: 'x' })).toBe(120_000n)
    expect(() => gasLimitFor({ estimate: 100_000n, value: 0n, balance: 99_999n * fee, maxFeePerGas: fee, label: 'stake' })).toThrow(InsufficientFundsError)
  })
})
