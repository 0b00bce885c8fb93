/**
 * The self-funding policy: one object, validated once where it enters (`fundingPolicy`, `fundingPolicyFromEnv`),
 * then passed whole — host → runner → funding controller (the runway threshold, which is also the balance
 * monitor's `low` level), wallet top-up and `request_top_up` tool (the amount, DIEM, and the funding window).
 * Nothing below renames or splits it. The window (`cooldownMs`) is enforced in one place: the wallet's top-up,
 * under its inter-process lock, from its journal (`requestTopUp`), so automatic and model-requested top-ups,
 * agents, processes and state dirs share it.
 */
import { parseEther } from 'viem'
import { z } from 'zod'
import { ConfigError } from '../config/ConfigError.js'
import type { Env } from '../config/env.js'
import { fundingRailSchema, type FundingRail } from './fundingRail.js'

/** Zod schema of a `FundingPolicy`. */
export const fundingPolicySchema = z
  .object({
    /** Top up when an agent's runway falls below this many hours (also the balance monitor's `low` level). */
    minRunwayHours: z.number().positive().finite(),
    /** At most one top-up per this many ms for the wallet (0: no window). */
    cooldownMs: z.number().int().min(0).finite(),
    /** ETH (wei) converted per automatic top-up; the spend policy still caps it. */
    ethPerTopUp: z.bigint().positive(),
    /** Lock the new sVVV into DIEM and stake it. */
    mintDiem: z.boolean(),
    /**
     * The rail top-ups are made on: `diem` (default: swap ETH → VVV and stake), `x402` (USDC credits) or
     * `auto` (the cheaper for the measured usage; `chooseRail` in src/agent/fundingRail.ts decides).
     */
    rail: fundingRailSchema.optional(),
  })
  .strict()

/** How an agent funds itself. See the module comment. */
export type FundingPolicy = z.infer<typeof fundingPolicySchema>

/** What an agent definition may override (`funding` in `defineAgent`), in its own units. */
export type FundingOverrides = { minRunwayHours?: number | undefined; cooldownSeconds?: number | undefined; rail?: FundingRail | undefined }

/**
 * Validates a policy where it enters (a host's options, a file), naming the bad field.
 *
 * @throws {ConfigError} (exit 3) naming `<where>.<field>` and what it must be.
 *
 * @example
 * ```ts
 * const policy = fundingPolicy({ minRunwayHours: 24, cooldownMs: 3_600_000, ethPerTopUp: parseEther('0.01'), mintDiem: true })
 * ```
 */
export function fundingPolicy(input: unknown, where = 'funding'): FundingPolicy {
  const parsed = fundingPolicySchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.')
  throw new ConfigError(`${where}.${field || '(root)'}: ${issue.code === 'unrecognized_keys' ? 'is not a funding setting' : issue.message}.`, {
    metaMessages: [
      "A funding policy is { minRunwayHours: hours > 0, cooldownMs: ms ≥ 0, ethPerTopUp: wei > 0n, mintDiem: boolean, rail?: 'diem' | 'x402' | 'auto' }.",
    ],
    code: 'FUNDING_POLICY',
  })
}

/**
 * The policy from the environment (`GONDOLA_FUNDING_MIN_RUNWAY_HOURS`, `GONDOLA_FUNDING_COOLDOWN_SECONDS`,
 * `GONDOLA_FUNDING_TOPUP_ETH`, `GONDOLA_FUNDING_RAIL`), with an agent definition's own `funding` overrides on top. The one place seconds
 * become ms and ETH becomes wei.
 *
 * @example
 * ```ts
 * const policy = fundingPolicyFromEnv(readEnv(), definition.funding) // { minRunwayHours: 24, cooldownMs: 3_600_000, … }
 * ```
 */
export function fundingPolicyFromEnv(
  env: Pick<Env, 'GONDOLA_FUNDING_MIN_RUNWAY_HOURS' | 'GONDOLA_FUNDING_COOLDOWN_SECONDS' | 'GONDOLA_FUNDING_TOPUP_ETH'> &
    Partial<Pick<Env, 'GONDOLA_FUNDING_RAIL'>>,
  overrides: FundingOverrides = {},
): FundingPolicy {
  return fundingPolicy({
    minRunwayHours: overrides.minRunwayHours ?? env.GONDOLA_FUNDING_MIN_RUNWAY_HOURS,
    cooldownMs: (overrides.cooldownSeconds ?? env.GONDOLA_FUNDING_COOLDOWN_SECONDS) * 1000,
    ethPerTopUp: parseEther(env.GONDOLA_FUNDING_TOPUP_ETH),
    mintDiem: true,
    rail: overrides.rail ?? env.GONDOLA_FUNDING_RAIL ?? 'diem',
  })
}
