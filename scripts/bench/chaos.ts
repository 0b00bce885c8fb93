/**
 * Issue 27: fleet throughput under chaos. Runs the chaos test (`test/fleet.chaos.e2e.test.ts`: one treasury and three
 * agent workers as real processes, 14 queued runs that all want a top-up) twice in one vitest process: seed 0, the
 * calm baseline (no kill, no Postgres stop, no fault burst), then a chaos seed (random SIGKILLs of treasury and
 * workers, two hard Postgres stops, a 429/500/503 burst). Each prints its counts; the figure is runs ended per minute
 * (pg-boss's own timestamps, first submission to last end), with chaos as a ratio of calm, measured in the same run.
 * The test's invariants hold in both, or the bench fails.
 *
 * `npm run bench -- chaos` (≈ 4–5 min). `GONDOLA_CHAOS_BENCH_SEED=3` picks the chaos seed (default 1).
 */
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { BenchRow } from './types.js'

const exec = promisify(execFile)
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

type ChaosCounts = { seed: number; completed: number; kills: number; postgresStops: number; runsPerMinute: number }

export async function bench(): Promise<BenchRow[]> {
  const seed = Number(process.env.GONDOLA_CHAOS_BENCH_SEED ?? '1')
  const { stdout } = await exec(process.execPath, [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'chaos'], {
    cwd: repo,
    env: { ...process.env, GONDOLA_CHAOS_SEEDS: `0,${seed}` },
    maxBuffer: 256 * 1024 * 1024,
  })
  const runs = [...stdout.matchAll(/fleet chaos (\{.*\})/g)].map((m) => JSON.parse(m[1]!) as ChaosCounts)
  const calm = runs.find((r) => r.seed === 0)
  const chaos = runs.find((r) => r.seed === seed)
  if (!calm || !chaos) throw new Error(`the chaos test printed no counts for seeds 0 and ${seed}`)
  return [
    {
      issue: 27,
      metric: `fleet throughput under chaos (seed ${seed}: ${chaos.kills} kills, ${chaos.postgresStops} Postgres stops, a fault burst): runs ended per minute`,
      value: chaos.runsPerMinute,
      unit: 'runs/min',
      baseline: calm.runsPerMinute,
      goal: 'baseline: the same fleet and runs with no kill (seed 0)',
    },
  ]
}
