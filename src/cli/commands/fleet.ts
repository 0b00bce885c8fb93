import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { fleetStatus, type FleetStatus } from '../../fleet/jobs/fleetStatus.js'
import { openFleetFromEnv } from '../fleetContext.js'
import { createStateStores } from '../../fleet/state/createStateStores.js'
import { printJson } from '../output.js'
import { formatNumber } from '../format.js'

const status = defineCommand({
  meta: { name: 'status', description: 'Workers (alive/stale), queues, schedules, recent runs, keys (prefix only) and runway of the fleet' },
  args: { json: { type: 'boolean', description: 'Print one JSON object', default: false } },
  async run({ args }) {
    const env = readEnv()
    const fleet = await openFleetFromEnv(env, { command: 'gondola fleet status', supervise: false, max: 3 })
    try {
      // Keys as the fleet's key store holds them, redacted; none when it cannot be opened here.
      const keys = await createStateStores(env, { role: env.GONDOLA_FLEET_SECRET ? 'agent' : 'treasury', database: fleet.db })
        .then((stores) => stores.openKeyStore())
        .then(
          (store) => store.summaries(),
          () => [],
        )
      const s = await fleetStatus(fleet.db, fleet.jobs, keys)
      if (args.json) return printJson(s)
      for (const line of render(s)) process.stdout.write(`${line}\n`)
    } finally {
      await fleet.close()
    }
  },
})

function render(s: FleetStatus): string[] {
  const lines = [`fleet on ${s.database}`, '', `workers (${s.workers.filter((w) => w.state === 'alive').length} alive):`]
  for (const w of s.workers)
    lines.push(`  ${w.id.padEnd(36)} ${w.role.padEnd(8)} ${w.state.padEnd(7)} concurrency ${w.concurrency}  heartbeat ${w.heartbeatAt}`)
  lines.push('', 'queues:                      queued  retry  active  done  failed')
  for (const q of s.queues)
    lines.push(
      `  ${q.queue.padEnd(26)} ${String(q.created).padStart(6)} ${String(q.retry).padStart(6)} ${String(q.active).padStart(7)} ${String(q.completed).padStart(5)} ${String(q.failed).padStart(7)}`,
    )
  if (s.schedules.length) lines.push('', 'schedules:', ...s.schedules.map((x) => `  ${x.agent.padEnd(20)} ${x.cron}`))
  lines.push('', `runs: ${s.totals.runs} (${s.totals.completed} finished, ${s.totals.retried} retried attempts, ${s.totals.failed} failed attempts); latest:`)
  for (const r of s.runs.slice(0, 10))
    lines.push(`  ${r.startedAt}  ${r.agent.padEnd(16)} #${r.attempt} ${r.status.padEnd(20)} ${r.steps ?? '-'} step(s)  ${r.workerId}`)
  lines.push(
    '',
    'keys:',
    ...(s.keys.length ? s.keys.map((k) => `  ${k.id}  ${k.type.padEnd(9)} ${(k.agent ?? '-').padEnd(16)} ${k.redacted}`) : ['  (no key store here)']),
  )
  lines.push(
    '',
    'runway (as the workers last saw it):',
    ...(s.runway.length
      ? s.runway.map((r) => `  ${r.agent.padEnd(16)} ${r.hours === null ? 'nothing spent yet' : `${formatNumber(r.hours)} h`} (${r.level}) at ${r.at}`)
      : ['  (no run yet)']),
  )
  return lines
}

export default defineCommand({
  meta: { name: 'fleet', description: 'Fleet mode (GONDOLA_DATABASE_URL): the state of workers, queues and runs' },
  subCommands: { status },
})
