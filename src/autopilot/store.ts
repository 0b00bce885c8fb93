/**
 * Where the autopilot keeps what it learns, per wallet and chain under the state dir
 * (`<stateDir>/autopilot/<chainId>-<address>/`): `rate.json` (the pool observation, written atomically, 0600)
 * and `history.jsonl` (one line per pass, appended). A pass holds `pass.lock` (the wallet journal's lock
 * primitive: exclusive create, stale takeover) so two processes never plan and spend from the same state.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address } from 'viem'
import { z } from 'zod'
import { atomicWrite } from '../util/atomicWrite.js'
import { lockFile, type FileLock } from '../util/fileLock.js'
import { AutopilotStateError } from './errors.js'

const bigintString = z.string().regex(/^\d+$/)

/** One observation of the epoch allocation, and the stake it was made at (amounts as base-unit strings). */
export const observationSchema = z.object({
  /** `reset`: taken right after an epoch reset, before any autopilot action that epoch; `mid-epoch`: the first one available. */
  kind: z.enum(['reset', 'mid-epoch']),
  at: z.string(),
  epochStart: z.string(),
  allocation: bigintString,
  svvv: bigintString,
  totalSvvv: bigintString,
  stakedDiem: bigintString,
  /** The learned daily pool: (allocation − staked DIEM) × totalSvvv / svvv. */
  poolDiem: bigintString,
  /** Diem per day per sVVV at that moment: poolDiem / totalSvvv. */
  ratePerSvvv: bigintString,
})
export type Observation = z.infer<typeof observationSchema>

const rateFileSchema = z.object({ version: z.literal(1), observation: observationSchema.optional(), lastActionEpoch: z.string().optional() })
export type RateFile = z.infer<typeof rateFileSchema>

/** The autopilot's files for one wallet. */
export type AutopilotStore = {
  dir: string
  historyPath: string
  readRate(): Promise<RateFile>
  writeRate(file: RateFile): Promise<void>
  /** Holds the pass lock while `fn` runs; `signal` ends the wait for another pass's lock. */
  withPassLock<T>(fn: () => Promise<T>, signal?: AbortSignal | undefined): Promise<T>
}

/**
 * @example
 * ```ts
 * const store = autopilotStore({ stateDir: '.gondola', chainId: 8453, address: wallet.address })
 * const { observation } = await store.readRate()
 * ```
 */
export function autopilotStore(o: { stateDir: string; chainId: number; address: Address; lockTimeoutMs?: number | undefined }): AutopilotStore {
  const dir = join(o.stateDir, 'autopilot', `${o.chainId}-${o.address.toLowerCase()}`)
  const ratePath = join(dir, 'rate.json')
  return {
    dir,
    historyPath: join(dir, 'history.jsonl'),
    async readRate() {
      let raw: string
      try {
        raw = await readFile(ratePath, 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1 }
        throw err
      }
      let json: unknown
      try {
        json = JSON.parse(raw)
      } catch (cause) {
        throw new AutopilotStateError(`${ratePath} is not valid JSON.`, {
          cause,
          metaMessages: [`Delete ${ratePath}: the rate is learned again after the next epoch reset.`],
          code: 'AUTOPILOT_STATE',
        })
      }
      const parsed = rateFileSchema.safeParse(json)
      if (!parsed.success)
        throw new AutopilotStateError(`${ratePath} has an unexpected shape (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}).`, {
          metaMessages: [`Delete ${ratePath}: the rate is learned again after the next epoch reset.`],
          code: 'AUTOPILOT_STATE',
        })
      return parsed.data
    },
    writeRate: (file) => atomicWrite(ratePath, `${JSON.stringify(file, null, 2)}\n`),
    async withPassLock(fn, signal) {
      let lock: FileLock | undefined
      try {
        lock = await lockFile({ path: join(dir, 'pass'), timeoutMs: o.lockTimeoutMs ?? 300_000, staleMs: 5 * 60_000, signal })
        return await fn()
      } finally {
        await lock?.release()
      }
    },
  }
}
