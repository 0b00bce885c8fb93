/**
 * The autopilot's configuration: what a pass needs besides its mode, and the parsing of a target. Built from
 * `Env` by the composition root (`autopilotConfig` in src/runtime/autopilotConfig.ts).
 */
import { parseEther } from 'viem'
import { AUTOPILOT_MAX_TARGET_DIEM_PER_DAY } from '../config/env.js'
import { PAYMENT_RAILS, type PaymentRail } from '../agent/fundingRail.js'
import { AutopilotInputError } from './errors.js'
import type { AllowanceSource } from './measure.js'
import type { AutopilotPassParameters } from './pass.js'

/** Everything a pass needs except the mode. */
export type AutopilotConfig = Omit<AutopilotPassParameters, 'mode'> & { venice: AllowanceSource | undefined }

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

/**
 * The rails to compare, as typed: `diem`, `x402` or `diem,x402` (each once).
 *
 * @throws {AutopilotInputError} (exit 2) naming `--rails` and the rail it does not know.
 *
 * @example
 * ```ts
 * parseRails('diem,x402') // ['diem', 'x402']
 * ```
 */
export function parseRails(value: string): PaymentRail[] {
  const rails = value.split(',').map((r) => r.trim())
  for (const r of rails)
    if (!(PAYMENT_RAILS as readonly string[]).includes(r))
      throw new AutopilotInputError(`--rails: unknown rail "${r}"; the rails are ${PAYMENT_RAILS.join(' and ')}, e.g. --rails diem,x402.`, {
        code: 'AUTOPILOT_RAILS',
      })
  if (new Set(rails).size !== rails.length)
    throw new AutopilotInputError(`--rails names a rail twice ("${value}"); give each once, e.g. --rails diem,x402.`, { code: 'AUTOPILOT_RAILS' })
  return rails as PaymentRail[]
}
