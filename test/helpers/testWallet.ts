import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, http, parseEther, type Chain, type Hex, type PublicClient, type Transport } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { createWallet, type CreateWalletParameters, type Wallet } from '../../src/wallet/createWallet.js'
import { stakeVvv } from '../../src/wallet/actions/stakeVvv.js'

export type TestWalletOptions = Partial<Omit<CreateWalletParameters, 'publicClient' | 'addresses'>> & {
  privateKey?: Hex
  eth?: bigint
  vvv?: bigint
  rpcUrl?: string
}

/**
 * A fresh random wallet on the devnet, funded as asked, with its own temp state dir and a fast
 * receipt poll. Pass `stateDir` and `privateKey` again to "restart the process" on the same journal.
 */
export async function testWallet(devnet: Devnet, options: TestWalletOptions = {}): Promise<Wallet & { privateKey: Hex; stateDir: string }> {
  const privateKey = options.privateKey ?? generatePrivateKey()
  const account = options.account ?? privateKeyToAccount(privateKey)
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'gondola-wallet-')))
  if (!options.privateKey && (options.eth ?? 0n) + (options.vvv ?? 0n) > 0n) {
    await devnet.fund(privateKeyToAccount(privateKey).address, { eth: options.eth, vvv: options.vvv })
  }
  const publicClient = options.rpcUrl
    ? (createPublicClient({ transport: http(options.rpcUrl) }) as PublicClient<Transport, Chain | undefined>)
    : devnet.publicClient
  const wallet = await createWallet({
    policy: options.policy,
    route: options.route,
    dryRun: options.dryRun,
    hooks: options.hooks,
    now: options.now,
    receiptTimeoutMs: options.receiptTimeoutMs ?? 10_000,
    pollingIntervalMs: 20,
    account,
    publicClient,
    addresses: devnet.addresses,
    stateDir,
  })
  return Object.assign(wallet, { privateKey, stateDir })
}

export const ONE_ETH = parseEther('1')

/**
 * A fresh test wallet holding `vvv` VVV, all of it staked (sVVV).
 *
 * @example
 * ```ts
 * const w = await stakedWallet(devnet(), '100')
 * ```
 */
export async function stakedWallet(devnet: Devnet, vvv: string): Promise<Awaited<ReturnType<typeof testWallet>>> {
  const w = await testWallet(devnet, { eth: parseEther('1'), vvv: parseEther(vvv) })
  await stakeVvv(w, { amount: parseEther(vvv) })
  return w
}
