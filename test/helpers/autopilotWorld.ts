import { parseEther, type Address } from 'viem'
import { autopilotStore, veniceAllowanceSource, type AutopilotPassParameters } from '../../src/autopilot/index.js'
import { runAutopilotPass } from '../../src/autopilot/pass.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import type { Emulator } from '../../devnet/src/emulator/startEmulator.js'
import { createVeniceClient } from '../../src/venice/createVeniceClient.js'
import { testWallet, type TestWalletOptions } from './testWallet.js'

/**
 * A wallet for autopilot tests: funded as asked, its wallet clock on the emulator's clock (so the policy's UTC
 * day and the epoch agree), an ADMIN key made directly on the emulator (no stake needed), and its store.
 *
 * @example
 * ```ts
 * const w = await autopilotWallet(devnet(), emulator(), { eth: parseEther('1') })
 * await w.pass({ target: parseEther('0.5') })
 * ```
 */
export async function autopilotWallet(devnet: Devnet, emulator: Emulator, o: TestWalletOptions & { minStakedDiem?: bigint; minClaimVvv?: bigint } = {}) {
  const wallet = await testWallet(devnet, { ...o, now: () => new Date(emulator.now()) })
  const admin = emulator.createKey(wallet.address, { apiKeyType: 'ADMIN' }).apiKey
  const venice = veniceAllowanceSource(createVeniceClient({ baseURL: emulator.baseURL, apiKey: admin, maxRetries: 0 }))
  const store = autopilotStore({ stateDir: wallet.stateDir, chainId: wallet.chainId, address: wallet.address })
  const pass = (p: Partial<AutopilotPassParameters> & { target: bigint }) =>
    runAutopilotPass({
      wallet,
      store,
      venice,
      minClaimVvv: o.minClaimVvv ?? parseEther('1000000'),
      minStakedDiem: o.minStakedDiem ?? 0n,
      mode: 'run',
      now: () => emulator.now(),
      ...p,
    })
  return { wallet, store, venice, admin, pass }
}

/** Moves the emulator to `minutes` after the next 00:00 UTC, and the chain by the same amount. */
export async function toNextReset(devnet: Devnet, emulator: Emulator, minutes = 5): Promise<void> {
  const now = emulator.now()
  const next = (Math.floor(now / 86_400_000) + 1) * 86_400_000 + minutes * 60_000
  emulator.setClock(next)
  await devnet.testClient.increaseTime({ seconds: Math.round((next - now) / 1000) })
  await devnet.testClient.mine({ blocks: 1 })
}

/** The Venice allocation of `address` today (what `/billing/balance` says). */
export async function allocationOf(venice: ReturnType<typeof veniceAllowanceSource>): Promise<number> {
  return (await venice.getBillingBalance()).diemEpochAllocation
}

export type { Address }
