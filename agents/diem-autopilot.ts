import type { Hex } from 'viem'
import { defineAgent } from '../src/agent/defineAgent.js'
import { autopilotConfig } from '../src/runtime/autopilotConfig.js'
import { planRows, type PlanRow } from '../src/autopilot/format.js'
import { readHistory } from '../src/autopilot/history.js'
import { autopilotStore } from '../src/autopilot/store.js'
import { runAutopilotPass, shortError } from '../src/autopilot/pass.js'
import type { Env } from '../src/config/env.js'
import type { Wallet } from '../src/wallet/createWallet.js'

/** What one pass did, for `gondola run diem-autopilot`. Diem amounts are Diem per day. */
export type DiemAutopilotReturnType = {
  summary: string
  hashes: Hex[]
  target: number
  before: number
  after: number
  reached: boolean
  plan: PlanRow[]
}

/**
 * `diem-autopilot`, the deterministic part: one pass of Diem automation under the wallet's spend policy. It
 * measures the allowance in Diem per day (pool share learned after a reset + staked DIEM, and the 0.1 staked
 * DIEM rule), plans the cheapest way to `GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY` and carries it out.
 *
 * @throws {AutopilotShortError} (exit code 6) when the target cannot be reached; what was possible is done first,
 * and the message says what is missing ("0.0837 ETH more, or 82.97 VVV"). With `signal` aborted the pass
 * finishes the step in hand, starts no other, and returns (its summary says where it stopped).
 *
 * @example
 * ```ts
 * const pass = await runDiemAutopilot({ wallet, env: readEnv() })
 * pass.summary // 'Target 1 Diem/day reached: 0.2 → 1.0001 Diem/day from the next reset. (5 tx)'
 * ```
 */
export async function runDiemAutopilot(ctx: { wallet: Wallet; env: Env; signal?: AbortSignal | undefined }): Promise<DiemAutopilotReturnType> {
  const pass = await runAutopilotPass({ ...(await autopilotConfig(ctx.env, ctx.wallet)), mode: 'run', signal: ctx.signal && { signal: ctx.signal } })
  // A pass stopped by a signal reports what it did (the message says so); it is not a shortfall.
  if (!pass.reached && !pass.stopped) throw shortError(pass)
  const hashes = pass.execution?.hashes ?? []
  const summary = hashes.length ? `${pass.message} (${hashes.length} tx)` : `nothing to do: ${pass.message}`
  return {
    summary,
    hashes,
    target: pass.entry.target,
    before: pass.entry.projectedBefore,
    after: pass.entry.projectedAfter,
    reached: pass.reached,
    plan: planRows(pass.plan),
  }
}

/**
 * When the last autopilot pass ran (ms), from its history; undefined before the first.
 *
 * @example
 * ```ts
 * await lastAutopilotRun({ wallet, env }) // 1764547500000
 * ```
 */
export async function lastAutopilotRun(ctx: { wallet: Wallet; env: Env }): Promise<number | undefined> {
  const store = autopilotStore({ stateDir: ctx.env.GONDOLA_STATE_DIR, chainId: ctx.wallet.chainId, address: ctx.wallet.address })
  const last = (await readHistory(store.historyPath)).filter((e) => e.mode === 'run').at(-1)
  return last ? Date.parse(last.at) : undefined
}

/**
 * The model-driven variant: it reads the plan (`autopilot_plan`) and may ask for it to be carried out
 * (`autopilot_apply`). The target comes from the same configuration as the script; the model chooses no
 * amounts, and the wallet's policy still decides.
 *
 * @example
 * ```ts
 * await host.run(diemAutopilotAgent) // host created with `autopilot: () => autopilotConfig(env, wallet)`
 * ```
 */
export const diemAutopilotAgent = defineAgent({
  name: 'diem-autopilot-agent',
  description: 'Diem automation by request: reads the autopilot plan for the configured Diem-per-day target and asks for it to be applied.',
  system:
    'You keep the daily Diem allowance at its configured target. First call autopilot_plan. If the plan is not already reached, call autopilot_apply. Report the result in one sentence, including any shortfall message verbatim.',
  prompt: 'Call autopilot_plan, then autopilot_apply.',
  model: 'function_calling_default',
  tools: ['autopilot_plan', 'autopilot_apply'],
  maxSteps: 3,
  budget: { diemPerRun: 0.05 },
  schedule: { cron: '5 0 * * *' }, // daily at 00:05 UTC, just after the epoch resets at 00:00 UTC
})

export default diemAutopilotAgent
