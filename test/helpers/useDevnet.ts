import { createWalletClient, http, type Account, type Chain, type Hex, type Transport, type WalletClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { devnetChain } from '../../src/chain/devnetChain.js'
import { startDevnet, type Devnet, type StartDevnetOptions } from '../../devnet/src/devnet/startDevnet.js'

/**
 * One devnet per test file: started in `beforeAll`, stopped in `afterAll`, with an
 * `evm_snapshot` before and an `evm_revert` after every test so tests never see each other's
 * transactions. Call it at the top level of a test file (or inside a `describe`).
 *
 * @returns a getter for the running devnet (valid inside tests and hooks).
 *
 * @example
 * ```ts
 * const devnet = useDevnet({ stakingCooldownSeconds: 60 })
 * it('funds', async () => {
 *   await devnet().fund(devnet().accounts[0]!.address, { vvv: 10n ** 18n })
 * })
 * ```
 */
export function useDevnet(options: StartDevnetOptions = {}): () => Devnet {
  let devnet: Devnet | undefined
  let snapshot: Hex | undefined
  beforeAll(async () => {
    devnet = await startDevnet(options)
  })
  afterAll(async () => {
    await devnet?.stop()
  })
  beforeEach(async () => {
    snapshot = await devnet!.snapshot()
  })
  afterEach(async () => {
    if (devnet && snapshot) await devnet.revert(snapshot)
  })
  return () => {
    if (!devnet) throw new Error('useDevnet(): the devnet is only available inside tests and hooks.')
    return devnet
  }
}

/**
 * A viem wallet client for one of the devnet's funded dev accounts.
 *
 * @example
 * ```ts
 * const alice = devnetWallet(devnet(), 1)
 * await alice.sendTransaction({ to: bob, value: 1n })
 * ```
 */
export function devnetWallet(devnet: Devnet, index: number): WalletClient<Transport, Chain, Account> {
  const dev = devnet.accounts[index]
  if (!dev) throw new Error(`devnetWallet(): no dev account #${index} (there are ${devnet.accounts.length}).`)
  return createWalletClient({ account: privateKeyToAccount(dev.privateKey), chain: devnetChain(devnet.rpcUrl), transport: http(devnet.rpcUrl) })
}
