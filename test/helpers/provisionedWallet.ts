import { join } from 'node:path'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { KeyStore } from '../../src/keys/KeyStore.js'
import { provision } from '../../src/keys/provision.js'
import { testWallet } from './testWallet.js'

/**
 * A fresh wallet funded with ETH on the devnet, staked, holding an ADMIN key and one limited INFERENCE key
 * per agent on the emulator at `baseURL` — the state `gondola provision` leaves behind.
 *
 * @example
 * ```ts
 * const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
 * ```
 */
export async function provisionedWallet(devnet: Devnet, baseURL: string, o: { agents: string[]; stakeSvvv?: bigint; diemPerAgent?: number; eth?: bigint }) {
  const wallet = await testWallet(devnet, { eth: o.eth ?? parseEther('1') })
  const account = privateKeyToAccount(wallet.privateKey)
  const stateDir = wallet.stateDir
  const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
  const provisioned = await provision({
    wallet,
    baseURL,
    store,
    agents: o.agents,
    stakeSvvv: o.stakeSvvv ?? parseEther('5'),
    diemPerAgent: o.diemPerAgent ?? 1,
  })
  return { wallet, store, stateDir, account, provisioned }
}
