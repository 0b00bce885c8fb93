import { z } from 'zod'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { defineTool } from '../defineTool.js'

/**
 * What a top-up reports back. `ok: false` carries the policy's refusal, in words. Declared here (the agent's
 * funding controller re-exports it) so that src/tools imports nothing from src/agent.
 */
export type TopUpResult = { ok: true; summary: string; addedDiem?: number | undefined } | { ok: false; refusal: string }

/** What the model may ask for. The amount is a suggestion; the policy decides. */
export type TopUpToolRequest = { agent: string; reason: string; ethAmount: string | undefined }

/**
 * `request_top_up`: lets the model *ask* for more inference funds. The injected `requestTopUp` runs the
 * wallet's top-up under the spend policy; a refusal (returned, or thrown as a typed error such as
 * `PolicyViolationError`) is given back to the model in words, so it can explain or adapt.
 *
 * @example
 * ```ts
 * const tool = requestTopUpTool({ requestTopUp: (r) => funding.maybeTopUp(`requested by ${r.agent}: ${r.reason}`, { force: true }).then(toTopUpResult) })
 * ```
 */
export function requestTopUpTool(deps: {
  requestTopUp: (request: TopUpToolRequest) => Promise<TopUpResult>
  onFailure?: ((error: BaseError) => void) | undefined
}) {
  return defineTool({
    name: 'request_top_up',
    description:
      'Requests more Venice inference funds (swap ETH to VVV, stake, mint DIEM). A spend policy you cannot change decides whether and how much; the answer says what happened or why it was refused.',
    schema: z.object({
      reason: z.string().min(1).max(500).describe('Why the funds are needed, in one sentence.'),
      ethAmount: z
        .string()
        .regex(/^\d+(\.\d+)?$/)
        .optional()
        .describe('Optional amount of ETH you suggest swapping, as a decimal string such as "0.01". The policy may refuse or cap it.'),
    }),
    handler: async ({ reason, ethAmount }, ctx) => {
      try {
        const r = await deps.requestTopUp({ agent: ctx.agent, reason, ethAmount })
        return r.ok ? `Top-up done: ${r.summary}` : `Top-up refused by policy: ${r.refusal}`
      } catch (err) {
        // A policy refusal is an answer; anything else is a failure, given as its one-line short message (no dump, no URL).
        if (err instanceof BaseError && err.exitCode === ExitCode.policy)
          return `Top-up refused by policy: ${err.shortMessage}${err.metaMessages.length ? ` ${err.metaMessages.join(' ')}` : ''}`
        // The model's own bad input (an amount with 19 decimals, …): its answer goes back to the model, and the run is
        // no operator's usage error (issue #26: `gondola run` exited 2 after a completed run).
        if (err instanceof BaseError && err.exitCode === ExitCode.usage) return `Top-up request not valid: ${err.shortMessage} Nothing was sent.`
        if (err instanceof BaseError) {
          deps.onFailure?.(err)
          return err.shortMessage.startsWith('Top-up failed') ? err.shortMessage : `Top-up failed: ${err.shortMessage}`
        }
        throw err
      }
    },
  })
}
