/**
 * The local devnet: anvil + Venice contract clones + Uniswap V3, started by `startDevnet()` or
 * `gondola devnet`, and discovered by other commands through `readDevnetInfo(stateDir)`.
 *
 * @example
 * ```ts
 * import { startDevnet } from './devnet/index.js'
 * const devnet = await startDevnet()
 * devnet.addresses.staking // '0x…'
 * await devnet.stop()
 * ```
 */
export { startDevnet, type Devnet, type StartDevnetOptions } from './startDevnet.js'
export { readDevnetAddressBook, readDevnetInfo, writeDevnetInfo, removeDevnetInfo, devnetInfoPath, type DevnetInfo } from 'gondola/chain'
export { devnetChain, DEVNET_CHAIN_ID } from 'gondola/chain'
export type { DevAccount } from './anvil/parseDevAccounts.js'
export { AnvilNotFoundError, AnvilStartError, ContractCompileError, DevnetDeployError, DevnetStateError, FaucetError, PortInUseError } from './errors.js'
export { startLocalWorld, type LocalWorld, type StartLocalWorldOptions } from './startLocalWorld.js'
export { devStake } from './devStake.js'
