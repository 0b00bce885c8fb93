/**
 * Which world the autopilot is in, for the staked-DIEM rule: a `gondola devnet` publishes whether its emulator
 * enforces the rule (`devnet.json`), and that is what its Venice does; elsewhere (Base, or a devnet that does
 * not say) the documented rule applies, `GONDOLA_AUTOPILOT_MIN_STAKED_DIEM` (0.1 by default).
 */
import { existsSync } from 'node:fs'
import { parseEther } from 'viem'
import type { Env } from '../config/env.js'
import { devnetInfoPath, readDevnetInfo } from './devnetInfo.js'

export type StakedDiemRule = {
  /** Staked DIEM below which nothing is spendable (0n: off). */
  minStakedDiem: bigint
  /** Where it was read: the running devnet's published rule, or the environment (documented default). */
  source: 'devnet' | 'env'
}

/**
 * @param veniceBaseUrl - the Venice the autopilot measures; the devnet's rule counts only when it is the devnet's emulator.
 *
 * @example
 * ```ts
 * stakedDiemRule(readEnv(), 'http://127.0.0.1:8546/api/v1') // { minStakedDiem: 0n, source: 'devnet' } on a devnet without the rule
 * ```
 */
export function stakedDiemRule(
  env: Pick<Env, 'GONDOLA_NETWORK' | 'GONDOLA_STATE_DIR' | 'GONDOLA_AUTOPILOT_MIN_STAKED_DIEM'>,
  veniceBaseUrl: string,
): StakedDiemRule {
  const documented: StakedDiemRule = { minStakedDiem: parseEther(env.GONDOLA_AUTOPILOT_MIN_STAKED_DIEM), source: 'env' }
  if (env.GONDOLA_NETWORK !== 'devnet' || !existsSync(devnetInfoPath(env.GONDOLA_STATE_DIR))) return documented
  const info = readDevnetInfo(env.GONDOLA_STATE_DIR)
  if (info.minStakedDiemForDiem === undefined || !sameOrigin(info.veniceBaseUrl, veniceBaseUrl)) return documented
  return { minStakedDiem: parseEther(info.minStakedDiemForDiem.toFixed(9)), source: 'devnet' }
}

function sameOrigin(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
