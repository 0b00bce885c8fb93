/**
 * `gondola/chain`: the chain layer's plain values (ABIs, address books, the devnet's chain and the `devnet.json`
 * it publishes, the on-chain address registry). The devnet package (`@gondola/devnet`) deploys against these, so
 * the runtime and the local world share one definition of each contract and address.
 *
 * @example
 * ```ts
 * import { devnetChain, stakingAbi } from 'gondola/chain'
 * const chain = devnetChain('http://127.0.0.1:8545')
 * ```
 */
export * from './abis/index.js'
export {
  AERODROME_FACTORY_ADDRESS,
  AERODROME_ROUTER_ADDRESS,
  MULTICALL3_ADDRESS,
  USDC_ADDRESS,
  addressBookContracts,
  addressBookSchema,
  baseAddressBook,
  type AddressBook,
} from './addressBook.js'
export { DEVNET_REGISTRY_ADDRESS, readAddressRegistry, writeAddressRegistry } from './addressRegistry.js'
export { DEVNET_CHAIN_ID, devnetChain } from './devnetChain.js'
export {
  devnetInfoPath,
  readDevnetAddressBook,
  readDevnetInfo,
  removeDevnetInfo,
  writeDevnetInfo,
  type DevAccount,
  type DevnetInfo,
} from './devnetInfo.js'
export { DevnetStateError } from './errors.js'
