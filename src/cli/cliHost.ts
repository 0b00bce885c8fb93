import { join } from 'node:path'
import { ledgerPathIn } from '../agent/ledger.js'
import type { AgentDefinition } from '../agent/defineAgent.js'
import { fundingPolicyFromEnv } from '../agent/fundingPolicy.js'
import { autopilotConfig } from '../runtime/autopilotConfig.js'
import type { Env } from '../config/env.js'
import { createAgentHost, type AgentHost, type HostEvent, type LedgerQuery } from '../host/createAgentHost.js'
import type { ToolFactory } from '../host/hostTools.js'
import { resolveVeniceBaseUrl } from '../runtime/resolveBaseUrl.js'
import type { Wallet } from '../wallet/createWallet.js'
import { getLogger } from '../util/logger.js'
import { openKeyStoreFromEnv } from './keysContext.js'

/**
 * The agent host `gondola run` uses: the configured wallet and key store, the state dir's outbox, ledger and run
 * history, and self-funding with the definition's (else the environment's) runway, cooldown and top-up amount.
 *
 * @example
 * ```ts
 * const host = await cliHost(definition, wallet, env, { onEvent: (e) => events.push(e) })
 * ```
 */
export async function cliHost(
  def: AgentDefinition,
  wallet: Wallet,
  env: Env,
  o: { tools?: Record<string, ToolFactory> | undefined; onEvent?: (e: HostEvent) => void } = {},
): Promise<AgentHost> {
  // Files by default; with GONDOLA_DATABASE_URL the fleet's ledger, run history, rate budget and failure budget.
  const stores = await stateStoresFor(env)
  const ledgerPath = ledgerPathIn(env.GONDOLA_STATE_DIR)
  return createAgentHost({
    wallet,
    store: await openKeyStoreFromEnv(env),
    baseURL: resolveVeniceBaseUrl(env),
    outboxDir: join(env.GONDOLA_STATE_DIR, 'outbox'),
    state: {
      ledger: stores.ledger(ledgerPath),
      // What a social bot counts its day's budget from: the file, or the fleet's Postgres ledger.
      ...(stores.database
        ? { readLedger: async (q: LedgerQuery) => (await import('../fleet/state/index.js')).readPgLedger(stores.database!, q) }
        : { ledgerPath }),
      runHistory: stores.runHistory(join(env.GONDOLA_STATE_DIR, 'runs.jsonl')),
      failureBudget: stores.failureBudget(wallet.address),
      createLimiter: stores.createLimiter,
    },
    // The one runway threshold: the host's balance monitor warns and the funding controller tops up below it.
    funding: fundingPolicyFromEnv(env, def.funding),
    tools: o.tools,
    logger: getLogger('cli', { agent: def.name }),
    autopilot: () => autopilotConfig(env, wallet),
    onEvent: o.onEvent,
  })
}

/** Files by default; in fleet mode the fleet's stores on this process's shared pool (loaded only then). */
async function stateStoresFor(env: Env) {
  const { createStateStores, databaseFor } = await import('../fleet/state/index.js')
  return createStateStores(env, { database: env.GONDOLA_DATABASE_URL ? await databaseFor(env.GONDOLA_DATABASE_URL) : undefined })
}
