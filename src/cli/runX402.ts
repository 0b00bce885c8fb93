import { join } from 'node:path'
import { parseUnits } from 'viem'
import { fundingPolicyFromEnv } from '../agent/fundingPolicy.js'
import { ledgerPathIn } from '../agent/ledger.js'
import type { RunResult } from '../agent/runAgent.js'
import type { Env } from '../config/env.js'
import { createX402Host, describeX402TopUp } from '../host/x402Host.js'
import type { ModelAgent } from '../registry/index.js'
import { openX402 } from '../runtime/openX402.js'
import { swapForUsdcFunder } from '../runtime/swapForUsdc.js'
import type { Wallet } from '../wallet/createWallet.js'
import { assertInstalled, X402_FEATURE, X402_PACKAGES } from '../util/optionalDependency.js'
import { USDC_DECIMALS } from '../wallet/x402/x402Policy.js'

/**
 * `gondola run <agent> --pay x402`: the agent on the x402 rail (SIWX, USDC credits, no API key). Each run's
 * results go to `report`; top-ups are told to `out` as they happen.
 *
 * @example
 * ```ts
 * const once = await x402ModelRunner(agent, wallet, env, { out, report: (rs) => rs.forEach((r) => printRun(r, out)) })
 * await once.run(1, signal)
 * ```
 */
export async function x402ModelRunner(
  agent: ModelAgent,
  wallet: Wallet,
  env: Env,
  o: {
    prompt?: string | undefined
    maxSteps?: number | undefined
    out: (l: string) => void
    report: (results: RunResult[], creditsUsd: number | undefined) => void
  },
) {
  // It tops itself up by x402 when its credits run short: the client packages (optional peers) must be there first.
  assertInstalled(X402_PACKAGES, X402_FEATURE)
  const { venice, policy, api } = await openX402(env, { wallet })
  const def = agent.definition
  const host = createX402Host({
    wallet,
    baseURL: venice.baseURL,
    api,
    policy,
    funding: fundingPolicyFromEnv(env, def.funding),
    usdcPerTopUp: parseUnits(env.GONDOLA_FUNDING_TOPUP_USD, USDC_DECIMALS),
    ensureUsdc: swapForUsdcFunder(),
    tools: agent.tools,
    outboxDir: join(env.GONDOLA_STATE_DIR, 'outbox'),
    ledgerPath: ledgerPathIn(env.GONDOLA_STATE_DIR),
    onTopUp: (r, reason) => o.out(`⚡ top-up (${reason}): ${describeX402TopUp(r)}`),
  })
  return {
    async run(_n: number, signal: AbortSignal): Promise<void> {
      const result = await host.run(def, { prompt: o.prompt, maxSteps: o.maxSteps, signal })
      if (result.status === 'error' || result.status === 'insufficient_balance') process.exitCode = result.error?.exitCode ?? 1
      o.report([result], host.credits.figure()?.balanceUsd)
    },
    close: () => host.close(),
  }
}
