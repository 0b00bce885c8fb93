import { createPublicClient, createTestClient, http, type Address, type Hex, type PublicClient, type TestClient } from 'viem'
import { type AddressBook, devnetChain, writeAddressRegistry } from 'gondola/chain'
import { parseDevAccounts, type DevAccount } from './anvil/parseDevAccounts.js'
import { spawnAnvil } from './anvil/spawnAnvil.js'
import { loadArtifacts } from './compile/loadArtifacts.js'
import { defaultDeployParameters, type DeployParameters } from './deploy/deployParameters.js'
import { createFaucet, type FaucetAmounts } from './faucet.js'
import { loadOrDeploy } from './loadOrDeploy.js'

export type StartDevnetOptions = {
  /** Port on 127.0.0.1; a free one when omitted. A busy port throws `PortInUseError`. */
  port?: number | undefined
  /** sVVV unstake cooldown in seconds (default 7 days, as on mainnet). */
  stakingCooldownSeconds?: number | undefined
  /** DIEM unstake cooldown in seconds (default 1 day). */
  diemCooldownSeconds?: number | undefined
  /** VVV emitted to stakers per second, in wei (default 0.44 VVV). */
  emissionRatePerSecond?: bigint | undefined
  /** Persist the chain here on `stop()` and resume from it on start (the `--state` flag). */
  stateFile?: string | undefined
  /** Reuse a cached deployed state keyed by artifacts + parameters (default true). */
  useStateCache?: boolean | undefined
}

/** A running devnet: anvil with everything deployed. */
export type Devnet = {
  rpcUrl: string
  chainId: number
  addresses: AddressBook
  /** anvil's pre-funded dev accounts (10 000 ETH each). */
  accounts: DevAccount[]
  publicClient: PublicClient
  testClient: TestClient
  /** Adds ETH (anvil_setBalance), sends VVV from the deployer's reserve and/or mints USDC (base units). */
  fund(address: Address, amounts: FaucetAmounts): Promise<void>
  snapshot(): Promise<Hex>
  revert(id: Hex): Promise<void>
  /** Saves state (when `stateFile` was given) and stops anvil. Idempotent. */
  stop(): Promise<void>
  /** anvil's process id (gone once `stop()` resolves). */
  anvilPid: number
  /** How the chain was set up: `deployed` afresh, `cache` (deployed-state cache) or `stateFile`. */
  source: 'deployed' | 'cache' | 'stateFile'
}

/**
 * Starts anvil and deploys the Venice contracts, WETH9, Multicall3 and Uniswap V3 with a seeded
 * VVV/WETH pool (or loads the same from the deployed-state cache).
 *
 * @param options - port, cooldowns, emission rate, state file.
 * @returns the running devnet; call `stop()` when done.
 * @throws {PortInUseError} / {AnvilStartError} / {DevnetDeployError}
 *
 * @example
 * ```ts
 * const devnet = await startDevnet({ stakingCooldownSeconds: 60 })
 * await devnet.fund(me, { eth: parseEther('1'), vvv: parseEther('100') })
 * await devnet.stop()
 * ```
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const params: DeployParameters = {
    ...defaultDeployParameters,
    ...(options.stakingCooldownSeconds !== undefined && { stakingCooldownSeconds: options.stakingCooldownSeconds }),
    ...(options.diemCooldownSeconds !== undefined && { diemCooldownSeconds: options.diemCooldownSeconds }),
    ...(options.emissionRatePerSecond !== undefined && { emissionRatePerSecond: options.emissionRatePerSecond }),
  }
  const { artifacts } = await loadArtifacts()
  const anvil = await spawnAnvil({ port: options.port })
  try {
    const chain = devnetChain(anvil.rpcUrl)
    const transport = http(anvil.rpcUrl)
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient
    const testClient = createTestClient({ chain, transport, mode: 'anvil' }) as TestClient
    const { addresses, source, save } = await loadOrDeploy({
      publicClient,
      testClient,
      chain,
      artifacts,
      params,
      stateFile: options.stateFile,
      useCache: options.useStateCache ?? true,
    })
    // Recorded on the chain itself, so an RPC URL alone finds the contracts (DEVNET_RPC_URL with any state dir).
    await writeAddressRegistry(testClient, addresses)
    const fund = createFaucet({ publicClient, testClient, chain, vvv: addresses.vvv, usdc: addresses.usdc })
    let stopped: Promise<void> | undefined
    return {
      rpcUrl: anvil.rpcUrl,
      chainId: chain.id,
      addresses,
      accounts: parseDevAccounts(anvil.banner),
      publicClient,
      testClient,
      fund,
      source,
      anvilPid: anvil.pid,
      snapshot: () => testClient.snapshot(),
      revert: (id) => testClient.revert({ id }),
      stop() {
        stopped ??= (async () => {
          try {
            await save()
          } finally {
            await anvil.stop()
          }
        })()
        return stopped
      },
    }
  } catch (err) {
    await anvil.stop()
    throw err
  }
}
