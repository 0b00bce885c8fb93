import { defineCommand } from 'citty'

import { readEnv } from '../../config/env.js'
import { describeStake, provision } from '../../keys/provision.js'
import { describeComparison } from '../../wallet/routes/describeComparison.js'
import { parseAgentList, readFleetFile, FleetSpecError, type FleetAgent } from '../../keys/fleetSpec.js'
import { createApiClock } from '../../venice/apiClock.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { parseAmount } from '../../wallet/amounts.js'
import { describePlannedStep } from '../../wallet/send/plannedStep.js'
import { openWallet } from '../../runtime/openWallet.js'
import { CLIError } from '../CLIError.js'
import { enumFlag, MAX_EXPIRY_DAYS, MAX_KEY_LIMIT, nameFlag, optionalNumberFlag } from '../flags.js'
import { formatNumber } from '../format.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { printJson, waitText, withSpinner } from '../output.js'
import { presentable } from '../walletCommand.js'

/**
 * `gondola provision`: the whole bootstrap of a fresh wallet — ensure the stake (under the spend policy),
 * mint and keep an ADMIN key, mint one limited INFERENCE key per agent. Idempotent; `--dry-run` prints the plan.
 */
export default defineCommand({
  meta: { name: 'provision', description: 'Stake, mint an ADMIN key and one limited INFERENCE key per agent (idempotent)' },
  args: {
    agents: { type: 'string', description: 'Comma-separated agent names, each optionally with its own Diem limit: bot01:1.5,bot02:0.25 (default: treasurer)' },
    fleet: { type: 'string', description: 'A fleet file: JSON [{ "agent", "diem", "period" }] or CSV with header agent,diem[,period]' },
    'stake-vvv': { type: 'string', description: 'sVVV to hold (swaps ETH and stakes only what is missing)', default: '10' },
    'diem-per-agent': {
      type: 'string',
      description:
        'Diem limit per period of each agent key without its own (name:diem or fleet file); default 1 for a new key, and a live key keeps its limit unless this is given',
    },
    period: { type: 'string', description: 'EPOCH (default), MONTH or LIFETIME' },
    'expires-days': { type: 'string', description: 'Agent keys expire after this many days (default: never)' },
    network: { type: 'string', description: 'devnet or base (default: GONDOLA_NETWORK)' },
    'dry-run': { type: 'boolean', description: 'Print the transactions and requests it would send; send none', default: false },
    json: { type: 'boolean', description: 'Print one JSON line', default: false },
  },
  async run({ args }) {
    // Every value is checked before the wallet is opened, anything is simulated, signed or sent.
    const network = args.network === undefined ? undefined : (enumFlag(args.network, '--network', ['DEVNET', 'BASE'])?.toLowerCase() as 'devnet' | 'base')
    const stakeSvvv = parseAmount(args['stake-vvv'], { symbol: 'VVV', field: '--stake-vvv' })
    // Given, it applies to every agent without its own limit; not given, a live key keeps its limits (never lowered by omission).
    const diemPerAgent = optionalNumberFlag(args['diem-per-agent'], '--diem-per-agent', { min: 0, exclusiveMin: true, max: MAX_KEY_LIMIT, example: '0.5' })
    const period = enumFlag(args.period, '--period', ['EPOCH', 'MONTH', 'LIFETIME'])
    const agents = await fleetOf(args.agents, args.fleet, { defaultDiem: diemPerAgent ?? 1, period })
    const expiresInDays = optionalNumberFlag(args['expires-days'], '--expires-days', { min: 0, exclusiveMin: true, max: MAX_EXPIRY_DAYS, example: '30' })
    const env = readEnv(undefined, network ? { GONDOLA_NETWORK: network } : {})

    const dryRun = args['dry-run']
    const result = await withSpinner(
      dryRun ? 'Planning provisioning' : 'Provisioning',
      async (update) => {
        const wallet = await openWallet(env, {
          dryRun,
          hooks: { afterBroadcast: (step) => update(`${step.label} sent, waiting for its receipt`, { step: step.label, hash: step.hash }) },
        })
        const baseURL = resolveVeniceBaseUrl(env)
        // Key creations (20 a minute) are paced on Venice's clock, read from its responses.
        const clock = createApiClock({ baseURL })
        return provision({
          wallet,
          baseURL,
          store: await openKeyStoreFromEnv(env),
          agents,
          stakeSvvv,
          diemPerAgent,
          limitPeriod: period,
          expiresInDays,
          dryRun,
          fetch: clock.fetch,
          now: clock.now,
          sleep: clock.sleep,
          onWait: (w) =>
            update(waitText(w.what, w.ms, { done: w.minted, total: w.toMint, unit: 'keys minted' }), {
              reason: w.reason,
              waitMs: w.ms,
              minted: w.minted,
              toMint: w.toMint,
            }),
        })
      },
      { json: args.json },
    )

    if (args.json) {
      printJson({
        network: env.GONDOLA_NETWORK,
        dryRun,
        ...(presentable({ wallet: result.wallet, stake: result.stake }) as object),
        admin: result.admin,
        agents: result.agents,
        reconciled: result.reconciled,
        plannedRequests: result.plannedRequests,
      })
      return
    }
    const lines = [
      `${dryRun ? '[dry run] ' : ''}Wallet ${result.wallet} on ${env.GONDOLA_NETWORK}`,
      `  stake: ${describeStake(result.stake)}${result.stake.hashes.length ? ` (${result.stake.hashes.length} tx)` : ''}`,
      ...(dryRun && result.stake.steps.length ? ['  transactions it would send:', ...result.stake.steps.map((s) => `    ${describePlannedStep(s)}`)] : []),
      ...(dryRun && result.stake.swap?.comparison
        ? ['  swap venues compared:', ...describeComparison(result.stake.swap.comparison).map((l) => `    ${l}`)]
        : []),
      `  ADMIN key: ${result.admin.status}${result.admin.key ? ` ${keyLine(result.admin.key)}` : ''}`,
      ...result.agents.map(
        (a) =>
          `  ${a.agent}: ${a.status}${a.key ? ` ${keyLine(a.key)}` : ''}${changeOf(a)}${a.revoked.length ? ` (revoked ${a.revoked.map((id) => id.slice(0, 8)).join(', ')})` : ''}`,
      ),
      ...(result.reconciled.cleared.length
        ? [
            `  interrupted mints settled: ${result.reconciled.cleared.length}, orphan keys revoked: ${result.reconciled.revoked.length ? result.reconciled.revoked.join(', ') : 'none'}`,
          ]
        : []),
      ...(dryRun && result.plannedRequests.length ? ['  requests it would send:', ...result.plannedRequests.map((r) => `    ${r}`)] : []),
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  },
})

/** What a rotation (or its plan) changes: `; limit 2 Diem/EPOCH → 1 Diem/EPOCH`. */
function changeOf(a: { diem: number; period: string; previous?: { diem: number | undefined; period: string } | undefined }): string {
  if (!a.previous) return ''
  const was = `${a.previous.diem === undefined ? 'no Diem limit' : `${formatNumber(a.previous.diem)} Diem`}/${a.previous.period}`
  return `; limit ${was} → ${formatNumber(a.diem)} Diem/${a.period}`
}

/** The fleet from --agents (name or name:diem) and/or --fleet (a JSON or CSV file); an agent may appear once. */
async function fleetOf(
  agentsFlag: string | undefined,
  fleetFile: string | undefined,
  o: { defaultDiem: number; period: 'EPOCH' | 'MONTH' | 'LIFETIME' | undefined },
): Promise<FleetAgent[]> {
  const fromFile = fleetFile ? await readFleetFile(fleetFile, o) : []
  const fromFlag = agentsFlag !== undefined || !fleetFile ? parseAgentList(agentsFlag ?? 'treasurer', o) : []
  const both = [...fromFile, ...fromFlag]
  const dup = both.find((a, i) => both.findIndex((b) => b.agent === a.agent) !== i)
  if (dup)
    throw new FleetSpecError(`Agent "${dup.agent}" is in both --fleet and --agents.`, { metaMessages: ['List each agent once.'], code: 'FLEET_DUPLICATE' })
  return both
}
