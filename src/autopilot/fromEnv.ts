/**
 * The autopilot as configured: targets from `GONDOLA_AUTOPILOT_*` (a `--target` override wins), its store under
 * the state dir, and Venice through the ADMIN key kept by `provision` (or `VENICE_ADMIN_API_KEY`). One place,
 * so the CLI, the script agent and the model variant read the same numbers.
 */
import { join } from 'node:path'
import { parseEther } from 'viem'
import { AUTOPILOT_MAX_TARGET_DIEM_PER_DAY, type Env } from '../config/env.js'
import { KeyStore } from '../keys/KeyStore.js'
import { originOf, storedAdminKey } from '../keys/provisionApiKey.js'
import { createVeniceClient } from '../venice/createVeniceClient.js'
import { resolveVeniceBaseUrl } from '../venice/resolveBaseUrl.js'
import type { Wallet } from '../wallet/createWallet.js'
import { AutopilotInputError } from './errors.js'
import { veniceAllowanceSource, type AllowanceSource } from './measure.js'
import type { AutopilotPassParameters } from './pass.js'
import { autopilotStore } from './store.js'
import { stakedDiemRule } from './world.js'

/** Everything a pass needs except the mode. */
export type AutopilotConfig = Omit<AutopilotPassParameters, 'mode'> & { venice: AllowanceSource | undefined }

/**
 * @throws {AutopilotInputError} for a `--target` that is not a positive decimal number (exit code 2).
 *
 * @example
 * ```ts
 * const config = await autopilotConfig(readEnv(), wallet, { target: '1.5' })
 * await runAutopilotPass({ ...config, mode: 'plan' })
 * ```
 */
export async function autopilotConfig(env: Env, wallet: Wallet, o: { target?: string | undefined; horizon?: string | undefined } = {}): Promise<AutopilotConfig> {
  const target = parseTarget(o.target ?? env.GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY, o.target !== undefined ? '--target' : 'GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY')
  const baseURL = resolveVeniceBaseUrl(env)
  const keys = await KeyStore.open({ path: join(env.GONDOLA_STATE_DIR, 'keys.json'), password: env.GONDOLA_KEYSTORE_PASSWORD })
  const adminKey = storedAdminKey(keys, { wallet: wallet.address, apiOrigin: originOf(baseURL) }) ?? env.VENICE_ADMIN_API_KEY
  return {
    wallet,
    store: autopilotStore({ stateDir: env.GONDOLA_STATE_DIR, chainId: wallet.chainId, address: wallet.address }),
    venice: adminKey ? veniceAllowanceSource(createVeniceClient({ baseURL, apiKey: adminKey, maxRetries: 2 })) : undefined,
    target,
    minClaimVvv: parseEther(env.GONDOLA_AUTOPILOT_MIN_CLAIM_VVV),
    // The rule of the world it is in: a devnet's published rule, else the documented one (GONDOLA_AUTOPILOT_MIN_STAKED_DIEM).
    minStakedDiem: stakedDiemRule(env, baseURL).minStakedDiem,
    horizonDays: o.horizon === undefined ? env.GONDOLA_AUTOPILOT_HORIZON_DAYS : parseHorizon(o.horizon),
  }
}

/**
 * A horizon in days, as typed: `30d`, `30` (days) or `0` (the forgone yield is shown, not counted).
 *
 * @example
 * ```ts
 * parseHorizon('30d') // 30
 * ```
 */
export function parseHorizon(value: string): number {
  const m = /^(\d+(?:\.\d+)?)d?$/.exec(value.trim())
  if (!m || Number(m[1]) > 3650) {
    throw new AutopilotInputError(`--horizon must be a number of days from 0 to 3650, such as 30d; got "${value}".`, { code: 'AUTOPILOT_HORIZON' })
  }
  return Number(m[1])
}

/** A target in Diem per day, as typed by the user. */
export function parseTarget(value: string, source: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value.trim()) || Number(value) <= 0) {
    throw new AutopilotInputError(`${source} must be a positive number of Diem per day, such as 1.5; got "${value}".`, { code: 'AUTOPILOT_TARGET' })
  }
  if (Number(value) > AUTOPILOT_MAX_TARGET_DIEM_PER_DAY) {
    throw new AutopilotInputError(`${source} must be at most ${AUTOPILOT_MAX_TARGET_DIEM_PER_DAY} Diem per day; got "${value}".`, {
      metaMessages: ['A target is the Diem per day the agent should be able to spend: check the number of digits.'],
      code: 'AUTOPILOT_TARGET',
    })
  }
  return parseEther(value.trim())
}
