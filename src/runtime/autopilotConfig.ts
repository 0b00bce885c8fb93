import { join } from 'node:path'
import { parseEther } from 'viem'
import type { Env } from '../config/env.js'
import { KeyStore } from '../keys/KeyStore.js'
import { originOf, storedAdminKey } from '../keys/provisionApiKey.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import type { Wallet } from '../wallet/createWallet.js'
import { parseHorizon, parseTarget, type AutopilotConfig } from '../autopilot/fromEnv.js'
import { veniceAllowanceSource } from '../autopilot/measure.js'
import { autopilotStore } from '../autopilot/store.js'
import { resolveVeniceBaseUrl } from './resolveBaseUrl.js'
import { stakedDiemRule } from '../chain/stakedDiemRule.js'

/**
 * The autopilot as configured: targets from `GONDOLA_AUTOPILOT_*` (a `--target` override wins), its store under
 * the state dir, and Venice through the ADMIN key kept by `provision` (or `VENICE_ADMIN_API_KEY`). One place,
 * so the CLI, the script agent and the model variant read the same numbers.
 *
 * @throws {AutopilotInputError} for a `--target` that is not a positive decimal number (exit code 2).
 *
 * @example
 * ```ts
 * const config = await autopilotConfig(readEnv(), wallet, { target: '1.5' })
 * await runAutopilotPass({ ...config, mode: 'plan' })
 * ```
 */
export async function autopilotConfig(
  env: Env,
  wallet: Wallet,
  o: { target?: string | undefined; horizon?: string | undefined } = {},
): Promise<AutopilotConfig> {
  const target = parseTarget(
    o.target ?? env.GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY,
    o.target !== undefined ? '--target' : 'GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY',
  )
  const baseURL = resolveVeniceBaseUrl(env)
  const keys = await KeyStore.open({ path: join(env.GONDOLA_STATE_DIR, 'keys.json'), password: env.GONDOLA_KEYSTORE_PASSWORD })
  const adminKey = storedAdminKey(keys, { wallet: wallet.address, apiOrigin: originOf(baseURL) }) ?? env.VENICE_ADMIN_API_KEY
  return {
    wallet,
    store: autopilotStore({ stateDir: env.GONDOLA_STATE_DIR, chainId: wallet.chainId, address: wallet.address }),
    venice: adminKey ? veniceAllowanceSource(createVeniceClient({ baseURL, apiKey: adminKey, maxRetries: 2 })) : undefined,
    target,
    minClaimVvv: parseEther(env.GONDOLA_AUTOPILOT_MIN_CLAIM_VVV),
    // Which world: the devnet publishes whether its emulator applies the staked-DIEM rule; elsewhere the setting.
    minStakedDiem: stakedDiemRule(env, baseURL).minStakedDiem,
    horizonDays: o.horizon === undefined ? env.GONDOLA_AUTOPILOT_HORIZON_DAYS : parseHorizon(o.horizon),
  }
}
