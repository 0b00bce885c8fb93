/**
 * Who a process is, beyond its pid: the machine's boot id and the process's start time, as Linux reports them
 * (`/proc/sys/kernel/random/boot_id`, field 22 of `/proc/<pid>/stat`). A pid alone is reused — after a reboot, or
 * a container restart where the new process gets the same small pid — so a lock file that records all three can
 * tell its dead owner from a live stranger with the same number. Elsewhere (no /proc) both are undefined and
 * callers fall back to the pid and a lease.
 */
import { readFileSync } from 'node:fs'

let bootIdCache: string | null | undefined

/**
 * This machine's boot id (changes at every boot), or undefined where the kernel does not say.
 *
 * @example
 * ```ts
 * bootId() // 'b7c3f1e2-…'
 * ```
 */
export function bootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
    } catch {
      bootIdCache = null
    }
  }
  return bootIdCache ?? undefined
}

/**
 * When process `pid` started, in clock ticks since boot (an opaque string to compare), or undefined when it is
 * not running or the kernel does not say.
 *
 * @example
 * ```ts
 * processStart(process.pid) // '123456'
 * ```
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
