import { z } from 'zod'
import { rateLimitsSchema } from '../../venice/schemas.js'

/**
 * The queues of a fleet. pg-boss v10 keeps one row per queue (its policy, retries, expiry) and one per job.
 * - `gondola-runs`: agent runs, any agent worker takes one; retried with backoff, and a run still `active` past
 *   its expiry (its worker was SIGKILLed or lost its machine) is failed by pg-boss's maintenance and retried.
 * - `gondola-topups-<wallet>`: that wallet's top-ups, taken only by its treasury; `singleton` policy with one
 *   singleton key: at most ONE top-up per wallet is active at a time across every treasury on every machine.
 * - `gondola-schedule-<agent>`: one per scheduled agent (pg-boss keeps one cron schedule per queue name); each
 *   cron tick is a job there which a worker turns into a run on `gondola-runs`.
 */
export const RUN_QUEUE = 'gondola-runs'
export const TOPUP_QUEUE_PREFIX = 'gondola-topups-'
export const SCHEDULE_QUEUE_PREFIX = 'gondola-schedule-'

/** What a queued run carries: the agent and the overrides `gondola run` accepts. No secret ever goes in a job. */
export const runJobSchema = z.object({
  agent: z.string().min(1).max(200),
  prompt: z.string().max(20_000).optional(),
  maxSteps: z.number().int().min(1).max(100).optional(),
  budgetDiem: z.number().positive().max(1_000_000).optional(),
  submittedBy: z.string().max(200).optional(),
})
export type RunJob = z.infer<typeof runJobSchema>

/**
 * A top-up request from an agent worker to the treasury: the amount asked for (decimal wei; JSON has no bigint).
 * The treasury's own spend policy and funding window decide; the requester cannot set them.
 */
export const topUpJobSchema = z.object({
  wallet: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  ethWei: z.string().regex(/^[1-9]\d{0,30}$/),
  reason: z.string().max(500),
  agent: z.string().max(200).optional(),
  requestedBy: z.string().max(200),
})
export type TopUpJob = z.infer<typeof topUpJobSchema>

/**
 * What the treasury answers (the job's output): the funding controller's `TopUpResult`, and after a top-up the
 * account's balances and limits as the treasury's ADMIN key read them (agent workers hold no ADMIN key: this is
 * how their balance refresh sees the top-up).
 */
export const topUpResultSchema = z.union([
  z.object({ ok: z.literal(true), summary: z.string(), addedDiem: z.number().optional(), rateLimits: rateLimitsSchema.shape.data.optional() }),
  z.object({ ok: z.literal(false), refusal: z.string() }),
])

/** The top-up queue of a wallet (its treasury's). */
export function topUpQueueOf(wallet: string): string {
  return `${TOPUP_QUEUE_PREFIX}${wallet.toLowerCase()}`
}

/** The schedule queue of an agent (names are `[a-z0-9-]`; anything else is hex-escaped so the name stays valid). */
export function scheduleQueueOf(agent: string): string {
  return `${SCHEDULE_QUEUE_PREFIX}${agent.replace(/[^a-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`
}

/**
 * A cron expression for "every N seconds": pg-boss schedules are cron (minute granularity), so N must be a whole
 * number of minutes dividing an hour, or of hours dividing a day. Anything else is refused with what would work.
 *
 * @example
 * ```ts
 * everyToCron(300) // '*\/5 * * * *'
 * everyToCron(7200) // '0 *\/2 * * *'
 * ```
 */
export function everyToCron(seconds: number): string | undefined {
  if (!Number.isInteger(seconds) || seconds < 60 || seconds % 60 !== 0) return undefined
  const minutes = seconds / 60
  if (minutes < 60) return 60 % minutes === 0 ? (minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`) : undefined
  if (minutes % 60 !== 0) return undefined
  const hours = minutes / 60
  if (hours === 24) return '0 0 * * *'
  return hours < 24 && 24 % hours === 0 ? (hours === 1 ? '0 * * * *' : `0 */${hours} * * *`) : undefined
}
