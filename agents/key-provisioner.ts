import type { Address, Hex } from 'viem'
import { provision, type ProvisionParameters, type ProvisionReturnType } from '../src/keys/provision.js'
import type { KeyStore } from '../src/keys/KeyStore.js'
import type { Wallet } from '../src/wallet/createWallet.js'

/** Options of `provisionFleet`: the same limits for every wallet of the fleet. */
export type ProvisionFleetParameters = Omit<ProvisionParameters, 'wallet' | 'store'> & {
  wallets: readonly Wallet[]
  /** One store for the whole fleet (keys are scoped by wallet and API), or one per wallet. */
  store: KeyStore | ((wallet: Wallet) => KeyStore)
  /** Told after each wallet (progress for a CLI). */
  onWallet?: ((result: FleetWalletResult) => void) | undefined
}

/** What happened for one wallet. */
export type FleetWalletResult = { wallet: Address; minted: number; kept: number; hashes: Hex[]; result: ProvisionReturnType }

/** Totals over the fleet: a second run reports `minted: 0` and no transactions. */
export type ProvisionFleetReturnType = { wallets: FleetWalletResult[]; minted: number; kept: number; transactions: number }

/**
 * `key-provisioner`: scripted provisioning of limited keys for a fleet of wallets — no model involved. For each
 * wallet, in order: ensure the stake (under that wallet's spend policy), keep an ADMIN key, and one INFERENCE
 * key per agent with the given Diem limit and period. Idempotent: kept keys that Venice still knows, with the
 * same limit and not expired, are reused; a second run sends no transaction and mints nothing. Wallets run one
 * after another (key creation is rate-limited per wallet, and the store is one file).
 *
 * @example
 * ```ts
 * const fleet = await provisionFleet({ wallets, store, baseURL, agents: ['treasurer'], stakeSvvv: parseEther('5'), diemPerAgent: 0.5 })
 * fleet.minted // 6 for three fresh wallets (ADMIN + INFERENCE each); 0 on the next run
 * ```
 */
export async function provisionFleet(p: ProvisionFleetParameters): Promise<ProvisionFleetReturnType> {
  const { wallets, store, onWallet, ...common } = p
  const results: FleetWalletResult[] = []
  for (const wallet of wallets) {
    const result = await provision({ ...common, wallet, store: typeof store === 'function' ? store(wallet) : store })
    const outcomes = [result.admin, ...result.agents]
    const row: FleetWalletResult = {
      wallet: wallet.address,
      minted: outcomes.filter((o) => o.status === 'minted').length,
      kept: outcomes.filter((o) => o.status === 'kept').length,
      hashes: result.stake.hashes,
      result,
    }
    results.push(row)
    onWallet?.(row)
  }
  return {
    wallets: results,
    minted: results.reduce((s, r) => s + r.minted, 0),
    kept: results.reduce((s, r) => s + r.kept, 0),
    transactions: results.reduce((s, r) => s + r.hashes.length, 0),
  }
}
