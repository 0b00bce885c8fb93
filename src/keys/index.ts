/**
 * Wallet-bound Venice keys: minted with the web3 flow, kept in a 0600 key store, read back and checked,
 * reconciled after a crash, rotated and revoked. The ADMIN key stays with the provisioner and the CLI.
 */
export { KeyStore, type KeySummary, type KeyStoreLockOptions } from './KeyStore.js'
export { fileKeyStoreBackend, type KeyStoreBackend } from './keyStoreBackend.js'
export {
  provisionApiKey,
  storedAdminKey,
  originOf,
  MAX_ACTIVE_KEYS,
  MAX_CREATIONS_PER_MINUTE,
  type ProvisionApiKeyParameters,
  type ProvisionApiKeyReturnType,
} from './provisionApiKey.js'
export { provision, describeStake, type ProvisionParameters, type ProvisionReturnType } from './provision.js'
export { ensureAgentKey, liveKeyIds, type AgentKeySpec, type EnsureAgentKeyParameters, type EnsureAgentKeyReturnType } from './ensureAgentKey.js'
export { parseAgentList, readFleetFile, FleetSpecError, type FleetAgent } from './fleetSpec.js'
export { rotateApiKey } from './rotateApiKey.js'
export { revokeApiKey } from './revokeApiKey.js'
export { reconcileAttempts, type ReconcileResult } from './reconcileAttempts.js'
export { mintWeb3Key, type MessageSigner, type Web3KeyApi } from './mintWeb3Key.js'
export { parseKeyRequest, type KeyRequest } from './keyRequest.js'
export type { ApiKeyType, LimitPeriod, ConsumptionLimit, StoredKey } from './keyStoreSchema.js'
export * from './errors.js'
