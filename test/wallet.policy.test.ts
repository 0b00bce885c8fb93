import { existsSync } from 'node:fs'
import { maxUint256, parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { addressBookContracts } from '../src/chain/addressBook.js'
import { vvvAbi } from '../src/chain/abis/index.js'
import { toSigner } from '../src/wallet/accounts/toSigner.js'
import { ensureStake } from '../src/wallet/actions/ensureStake.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { PolicyViolationError } from '../src/wallet/errors.js'
import { createPolicy, policyFromEnv } from '../src/wallet/policy/policy.js'
import { sendCall } from '../src/wallet/send/sendCall.js'
import { withRun } from '../src/wallet/send/withRun.js'
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts'
import { useDevnet } from './helpers/useDevnet.js'
import { testWallet } from './helpers/testWallet.js'

const devnet = useDevnet()

/** A signer that counts signatures: proves violations are raised before signing. */
async function countingSigner() {
  const inner = await toSigner(privateKeyToAccount(generatePrivateKey()))
  const counter = { signed: 0 }
  return {
    counter,
    signer: { ...inner, signTransaction: (tx: Parameters<typeof inner.signTransaction>[0]) => (counter.signed++, inner.signTransaction(tx)) },
  }
}

describe('spend policy', () => {
  it('reads its limits from configuration, the allowlist from the address book', () => {
    const p = policyFromEnv(
      { GONDOLA_POLICY_MAX_ETH_PER_SWAP: '0.1', GONDOLA_POLICY_MAX_ETH_PER_DAY: '0.3', GONDOLA_POLICY_MAX_SLIPPAGE_BPS: 30 },
      devnet().addresses,
    )
    expect(p).toMatchObject({ maxEthPerSwap: parseEther('0.1'), maxEthPerDay: parseEther('0.3'), maxSlippageBps: 30 })
    expect(p.allowlist).toContain(devnet().addresses.swapRouter)
    expect(() => createPolicy({ ...p, maxSlippageBps: 5000 })).toThrow(/outside 1..1000/)
  })

  it('a swap over the per-swap cap is refused before signing', async () => {
    const { signer, counter } = await countingSigner()
    await devnet().fund(signer.address, { eth: parseEther('1') })
    const w = await testWallet(devnet(), { account: signer })
    const err = await swapEthForVvv(w, { amountIn: parseEther('0.06') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PolicyViolationError)
    expect((err as PolicyViolationError).code).toBe('POLICY_MAX_PER_SWAP')
    expect((err as PolicyViolationError).shortMessage).toMatch(/0.06 ETH exceeds the per-swap cap of 0.05 ETH/)
    expect(counter.signed).toBe(0)
    expect(existsSync(w.journal.path)).toBe(false)
  })

  it('the daily cap counts what was signed today (UTC) and resets the next UTC day', async () => {
    let now = new Date('2026-08-01T23:00:00Z')
    const policy = {
      ...policyFromEnv(
        { GONDOLA_POLICY_MAX_ETH_PER_SWAP: '0.05', GONDOLA_POLICY_MAX_ETH_PER_DAY: '0.03', GONDOLA_POLICY_MAX_SLIPPAGE_BPS: 50 },
        devnet().addresses,
      ),
    }
    const w = await testWallet(devnet(), { eth: parseEther('1'), policy, now: () => now })
    await swapEthForVvv(w, { amountIn: parseEther('0.02') })
    const err = await swapEthForVvv(w, { amountIn: parseEther('0.02'), idempotencyKey: 'second' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'PolicyViolationError', code: 'POLICY_MAX_PER_DAY' })
    expect((err as PolicyViolationError).metaMessages[0]).toMatch(/At most 0.01 ETH is left today/)
    // Another process on the same state dir sees the same spend (the journal is the ledger).
    const restarted = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: w.stateDir, policy, now: () => now })
    await expect(swapEthForVvv(restarted, { amountIn: parseEther('0.02'), idempotencyKey: 'third' })).rejects.toMatchObject({ code: 'POLICY_MAX_PER_DAY' })
    now = new Date('2026-08-02T00:00:01Z')
    await expect(swapEthForVvv(restarted, { amountIn: parseEther('0.02'), idempotencyKey: 'fourth' })).resolves.toMatchObject({ status: 'confirmed' })
  })

  it('ensureStake cannot buy past the per-swap cap either', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    // 100 VVV ≈ 0.1 ETH at the devnet price: over the 0.05 ETH cap.
    await expect(ensureStake(w, { targetSvvv: parseEther('100') })).rejects.toMatchObject({ code: 'POLICY_MAX_PER_SWAP' })
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(0)
  })

  it('the chokepoint refuses contracts outside the allowlist and unbounded approvals', async () => {
    const { signer, counter } = await countingSigner()
    await devnet().fund(signer.address, { eth: parseEther('1') })
    const w = await testWallet(devnet(), { account: signer })
    const stranger: Address = '0x000000000000000000000000000000000000dEaD'
    const send = (to: Address, args: unknown[]) =>
      withRun(w, { intent: `t:${to}:${String(args[1])}` }, (run) =>
        sendCall(w, run, 'x', async () => ({ label: 'approve', to, abi: vvvAbi, functionName: 'approve', args })),
      )
    await expect(send(stranger, [w.addresses.staking, 1n])).rejects.toMatchObject({ code: 'POLICY_NOT_ALLOWLISTED' })
    await expect(send(w.addresses.vvv, [stranger, 1n])).rejects.toMatchObject({ code: 'POLICY_NOT_ALLOWLISTED' })
    await expect(send(w.addresses.vvv, [w.addresses.staking, maxUint256])).rejects.toMatchObject({ code: 'POLICY_UNBOUNDED_APPROVAL' })
    expect(counter.signed).toBe(0)
    expect(addressBookContracts(w.addresses)).not.toContain(stranger)
  })

  it('the slippage bound comes from the policy, not the caller', async () => {
    const policy = createPolicy({
      maxEthPerSwap: parseEther('0.05'),
      maxEthPerDay: parseEther('1'),
      maxSlippageBps: 100,
      allowlist: addressBookContracts(devnet().addresses),
    })
    const w = await testWallet(devnet(), { eth: parseEther('1'), policy })
    // An extra `slippageBps` from a model is ignored: the type has no such field and the runtime does not read it.
    const r = await swapEthForVvv(w, { amountIn: parseEther('0.01'), slippageBps: 5000 } as never)
    expect(r.amountOutMinimum).toBe((r.amountOut * 9900n) / 10000n)
  })
})
