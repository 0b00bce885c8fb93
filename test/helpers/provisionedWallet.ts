import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Devnet } from '../../src/devnet/startDevnet.js'
import { KeyStore } from '../../src/keys/KeyStore.js'
import { provision } from '../../src/keys/provision.js'
import { createWallet } from '../../src/wallet/createWallet.js'

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
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-agent-'))
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.fund(account.address, { eth: o.eth ?? parseEther('1') })
  const wallet = await createWallet({ account, publicClient: devnet.publicClient, addresses: devnet.addresses, stateDir })
  const store = await KeyStore.open({ path: join(stateDir, 'keys.json') })
  const provisioned = await provision({ wallet, baseURL, store, agents: o.agents, stakeSvvv: o.stakeSvvv ?? parseEther('5'), diemPerAgent: o.diemPerAgent ?? 1 })
  return { wallet, store, stateDir, account, provisioned }
}
