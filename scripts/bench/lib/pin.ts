import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

// Counted once, before any pinning: once this process is pinned, `availableParallelism()` answers 1.
const cores = availableParallelism()

/**
 * Pins a process (all its threads) to one CPU core with `taskset`, so that the measured client and the
 * emulator serving it never take turns on the same core (on a 2-core machine that placement alone moved
 * a process's CPU time per step by ±20 %). Does nothing, and says so, where there is one core or no
 * `taskset` (util-linux).
 *
 * @example
 * ```ts
 * pinToCore(emulator.pid, 1) // true when pinned
 * pinToCore(emulator.pid, 'all') // free again
 * ```
 */
export function pinToCore(pid: number, core: number | 'all'): boolean {
  if (cores < 2) return false
  try {
    execFileSync('taskset', ['-a', '-p', '-c', core === 'all' ? `0-${cores - 1}` : String(core), String(pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
