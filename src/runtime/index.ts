/**
 * The composition root: the one place that turns `Env` into parts. It alone knows which world it is in (the
 * devnet or Base, the Venice emulator or api.venice.ai, files or Postgres); the layers below (chain, wallet,
 * keys, venice, agent) take plain values (a public client, an address book, a base URL, a journal store).
 * The devnet stands beside it: it publishes `<stateDir>/devnet.json` and an on-chain address book, which the
 * root reads through `src/chain`, and is never imported from here.
 *
 * @example
 * ```ts
 * import { openWallet, resolveVeniceBaseUrl } from './index.js'
 * const env = readEnv()
 * const wallet = await openWallet(env)
 * const baseURL = resolveVeniceBaseUrl(env)
 * ```
 */
export { createClients, resolveChain, type ChainContext } from './createClients.js'
export { resolveVeniceBaseUrl, VENICE_API_BASE_URL } from './resolveBaseUrl.js'
export { openWallet, loadAccountFromEnv, keystorePathFromEnv } from './openWallet.js'
export { autopilotConfig } from './autopilotConfig.js'
