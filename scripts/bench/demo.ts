/**
 * Issue 7: `npm start` end to end — in-process (`runDemo`) and as a new user runs it (`npm start` subprocess,
 * including tsx start-up), against the 30 s goal.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { runDemo } from '../../src/demo/runDemo.js'
import type { BenchRow } from './types.js'

export async function bench(): Promise<BenchRow[]> {
  let started = performance.now()
  const summary = await runDemo({ json: true })
  const inProcess = performance.now() - started
  started = performance.now()
  await promisify(execFile)('npm', ['start', '--silent', '--', '--json'], { timeout: 120_000 })
  const subprocess = performance.now() - started
  return [
    { issue: 7, metric: 'npm start: whole self-funding story, in process', value: Math.round(inProcess), unit: 'ms', goal: '< 30000 ms' },
    {
      issue: 7,
      metric: 'npm start: as a subprocess (tsx start-up included)',
      value: Math.round(subprocess),
      unit: 'ms',
      baseline: Math.round(inProcess),
      goal: '< 30000 ms',
    },
    { issue: 7, metric: 'npm start: transactions sent (provision + DIEM + top-up)', value: summary.transactions.count, unit: 'tx' },
    { issue: 7, metric: 'npm start: model calls, average Diem per call', value: summary.calls.diemPerCall.avg, unit: 'Diem' },
  ]
}
