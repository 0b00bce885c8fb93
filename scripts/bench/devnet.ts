/**
 * Devnet start-up figures: cold deploy (anvil + every contract + pool) against loading the
 * cached deployed state, plus the evm_snapshot/evm_revert round trip every test pays.
 */
import { startDevnet } from '../../devnet/src/devnet/startDevnet.js'
import type { BenchRow } from './types.js'

async function timeStart(useStateCache: boolean, runs: number): Promise<{ median: number; source: string }> {
  const times: number[] = []
  let source = ''
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const devnet = await startDevnet({ useStateCache })
    times.push(performance.now() - started)
    source = devnet.source
    await devnet.stop()
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(times.length / 2)]!, source }
}

/** @example `npm run bench -- devnet` */
export async function bench(): Promise<BenchRow[]> {
  const cold = await timeStart(false, 5)
  await timeStart(true, 1) // fill the cache
  const cached = await timeStart(true, 5)
  const devnet = await startDevnet()
  const started = performance.now()
  for (let i = 0; i < 20; i++) await devnet.revert(await devnet.snapshot())
  const snapshotRevert = (performance.now() - started) / 20
  await devnet.stop()
  return [
    { issue: 2, metric: `devnet start + cold deploy (median of 5, ${cold.source})`, value: Math.round(cold.median), unit: 'ms', goal: '< 2000 ms' },
    {
      issue: 2,
      metric: `devnet start from cached state (median of 5, ${cached.source})`,
      value: Math.round(cached.median),
      unit: 'ms',
      baseline: Math.round(cold.median),
      goal: '< 2000 ms',
    },
    { issue: 2, metric: 'evm_snapshot + evm_revert round trip', value: Number(snapshotRevert.toFixed(1)), unit: 'ms' },
  ]
}
