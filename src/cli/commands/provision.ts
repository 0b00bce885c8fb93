import { defineCommand } from 'citty'

import { readEnv } from '../../config/env.js'
import { describeStake, provision } from '../../keys/provision.js'
import { parseAgentList, readFleetFile, FleetSpecError, type FleetAgent } from '../../keys/fleetSpec.js'
import { createApiClock } from '../../venice/apiClock.js'
import { resolveVeniceBaseUrl } from '../../venice/resolveBaseUrl.js'
import { parseAmount } from '../../wallet/amounts.js'
import { describePlannedStep } from '../../wallet/send/plannedStep.js'
import { openWallet } from '../../wallet/openWallet.js'
import { CLIError } from '../CLIError.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { printJson, withSpinner } from '../output.js'
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
    'diem-per-agent': { type: 'string', description: 'Diem limit per period of each agent key without its own (name:diem or fleet file)', default: '1' },
    period: { type: 'string', description: 'EPOCH (default), MONTH or LIFETIME' },
    'expires-days': { type: 'string', description: 'Agent keys expire after this many days (default: never)' },
    network: { type: 'string', description: 'devnet or base (default: GONDOLA_NETWORK)' },
    'dry-run': { type: 'boolean', description: 'Print the transactions and requests it would send; send none', default: false },
    json: { type: 'boolean', description: 'Print one JSON line', default: false },
  },
  async run({ args }) {
    if (args.network !== undefined && args.network !== 'devnet' && args.network !== 'base') throw new CLIError(`--network must be devnet or base, got "${args.network}".`, { code: 'CLI_BAD_FLAG' })
    const env = readEnv(undefined, args.network ? { GONDOLA_NETWORK: args.network } : {})
    const stakeSvvv = parseAmount(args['stake-vvv'], { symbol: 'VVV', field: '--stake-vvv' })
    const diemPerAgent = Number(args['diem-per-agent'])
    if (!(diemPerAgent > 0) || !Number.isFinite(diemPerAgent)) throw new CLIError(`--diem-per-agent must be a positive number, got "${args['diem-per-agent']}".`, { code: 'CLI_BAD_NUMBER' })
    const period = args.period?.toUpperCase()
    if (period !== undefined && period !== 'EPOCH' && period !== 'MONTH' && period !== 'LIFETIME') throw new CLIError(`--period must be EPOCH, MONTH or LIFETIME, got "${args.period}".`, { code: 'CLI_BAD_FLAG' })
    const agents = await fleetOf(args.agents, args.fleet, { defaultDiem: diemPerAgent, period })
    const expiresInDays = args['expires-days'] === undefined ? undefined : Number(args['expires-days'])
    if (expiresInDays !== undefined && !(expiresInDays > 0)) throw new CLIError('--expires-days must be a positive number.', { code: 'CLI_BAD_NUMBER' })

    const dryRun = args['dry-run']
    const result = await withSpinner(dryRun ? 'Planning provisioning' : 'Provisioning', async () => {
      const wallet = await openWallet(env, { dryRun })
      const baseURL = resolveVeniceBaseUrl(env)
      // Key creations (20 a minute) are paced on Venice's clock, read from its responses.
      const clock = createApiClock({ baseURL })
      return provision({ wallet, baseURL, store: await openKeyStoreFromEnv(env), agents, stakeSvvv, diemPerAgent, limitPeriod: period, expiresInDays, dryRun, fetch: clock.fetch, now: clock.now, sleep: clock.sleep })
    }, { json: args.json })

    if (args.json) {
      printJson({ network: env.GONDOLA_NETWORK, dryRun, ...(presentable({ wallet: result.wallet, stake: result.stake }) as object), admin: result.admin, agents: result.agents, plannedRequests: result.plannedRequests })
      return
    }
    const lines = [
      `${dryRun ? '[dry run] ' : ''}Wallet ${result.wallet} on ${env.GONDOLA_NETWORK}`,
      `  stake: ${describeStake(result.stake)}${result.stake.hashes.length ? ` (${result.stake.hashes.length} tx)` : ''}`,
      ...(dryRun && result.stake.steps.length ? ['  transactions it would send:', ...result.stake.steps.map((s) => `    ${describePlannedStep(s)}`)] : []),
      `  ADMIN key: ${result.admin.status}${result.admin.key ? ` ${keyLine(result.admin.key)}` : ''}`,
      ...result.agents.map((a) => `  ${a.agent}: ${a.status}${a.key ? ` ${keyLine(a.key)}` : ''}${a.revoked.length ? ` (revoked ${a.revoked.map((id) => id.slice(0, 8)).join(', ')})` : ''}`),
      ...(dryRun && result.plannedRequests.length ? ['  requests it would send:', ...result.plannedRequests.map((r) => `    ${r}`)] : []),
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  },
})


/** The fleet from --agents (name or name:diem) and/or --fleet (a JSON or CSV file); an agent may appear once. */
async function fleetOf(agentsFlag: string | undefined, fleetFile: string | undefined, o: { defaultDiem: number; period: 'EPOCH' | 'MONTH' | 'LIFETIME' | undefined }): Promise<FleetAgent[]> {
  const fromFile = fleetFile ? await readFleetFile(fleetFile, o) : []
  const fromFlag = agentsFlag !== undefined || !fleetFile ? parseAgentList(agentsFlag ?? 'treasurer', o) : []
  const both = [...fromFile, ...fromFlag]
  const dup = both.find((a, i) => both.findIndex((b) => b.agent === a.agent) !== i)
  if (dup) throw new FleetSpecError(`Agent "${dup.agent}" is in both --fleet and --agents.`, { metaMessages: ['List each agent once.'], code: 'FLEET_DUPLICATE' })
  return both
}
