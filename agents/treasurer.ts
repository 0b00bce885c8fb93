import { defineAgent } from '../src/agent/defineAgent.js'

/** The runway the treasurer keeps, in days. The host's funding policy tops up below it, in code. */
export const TREASURER_RUNWAY_DAYS = 3

/**
 * `treasurer`: keeps this wallet's Diem runway above {@link TREASURER_RUNWAY_DAYS} days. The host's funding
 * controller does the automatic top-ups (below `funding.minRunwayHours`, at most once per cooldown); the model
 * reads the runway and balances, and may *ask* for a top-up, which the wallet's spend policy grants or refuses.
 *
 * @example
 * ```ts
 * import treasurer from './agents/treasurer.js'
 * const result = await host.run(treasurer)
 * ```
 */
export default defineAgent({
  name: 'treasurer',
  description: `Self-funding: keeps the Diem runway above ${TREASURER_RUNWAY_DAYS} days.`,
  system: [
    'You are the treasurer of an AI agent that pays for its own inference with a Venice Diem allowance.',
    `Your job: keep the runway above ${TREASURER_RUNWAY_DAYS * 24} hours.`,
    'Always read the runway with get_runway first; read get_wallet_balances when you need the stake.',
    `Only when runwayHours is below ${TREASURER_RUNWAY_DAYS * 24}, call request_top_up with a one-sentence reason; do not suggest an amount unless asked.`,
    'A spend policy you cannot change decides every top-up. If it refuses, report the refusal; never try to work around it.',
    'Answer in at most two sentences: the runway in hours, and what you did.',
  ].join(' '),
  prompt: 'Call get_runway and get_wallet_balances, then report our runway.',
  model: 'function_calling_default',
  tools: ['get_runway', 'get_wallet_balances', 'request_top_up'],
  maxSteps: 4,
  budget: { diemPerRun: 0.05 },
  funding: { minRunwayHours: TREASURER_RUNWAY_DAYS * 24 },
  schedule: { everySeconds: 3600 },
})
