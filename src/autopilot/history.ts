/**
 * The autopilot's history: one JSON line per pass in `history.jsonl` (appended with O_APPEND, one write per
 * line, so concurrent passes — already serialised by the pass lock — and readers never see a torn line). A line
 * that does not parse (a crash mid-write on an exotic filesystem) is skipped, not fatal.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'

export const historyEntrySchema = z.object({
  v: z.literal(1),
  at: z.string(),
  epochStart: z.string(),
  mode: z.enum(['run', 'plan']),
  /** Target, Diem/day. */
  target: z.number(),
  /** The epoch's allocation Venice reported (Diem), or null without an ADMIN key. */
  allowance: z.number().nullable(),
  /** The epoch's allocation re-read after this pass acted (the emulator counts a new stake at once), or null. */
  allowanceAfterPass: z.number().nullable().optional(),
  /** Diem spent so far this epoch (allocation − balance), or null. */
  spent: z.number().nullable(),
  /** Diem spent in the whole previous epoch (billing ledger), or null when unknown. */
  spentPrevEpoch: z.number().nullable(),
  /** spent / allowance this epoch, or null. */
  utilisation: z.number().nullable(),
  /** Spendable Diem/day the stake yields from the next reset, before and after this pass. */
  projectedBefore: z.number(),
  projectedAfter: z.number(),
  reached: z.boolean(),
  actions: z.array(z.object({ action: z.string(), amount: z.string(), unit: z.string(), diemPerDay: z.number(), ethSpent: z.string(), gasEth: z.string() })),
  /** ETH swapped plus gas, decimal string. */
  ethSpent: z.string(),
  hashes: z.array(z.string()),
  /** Epoch-aware runway in hours (null: sustainable at the current burn). */
  runwayHours: z.number().nullable(),
  message: z.string(),
})
export type HistoryEntry = z.infer<typeof historyEntrySchema>

/**
 * @example
 * ```ts
 * await appendHistory(store.historyPath, entry)
 * ```
 */
export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  await appendFile(path, `${JSON.stringify(historyEntrySchema.parse(entry))}\n`, { mode: 0o600 })
}

/**
 * Every readable entry, oldest first.
 *
 * @example
 * ```ts
 * const entries = await readHistory(store.historyPath)
 * ```
 */
export async function readHistory(path: string): Promise<HistoryEntry[]> {
  let raw: string
  try {
    raw = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const out: HistoryEntry[] = []
  for (const line of raw.split('\n')) {
    if (!line.trim()) continue
    try {
      const parsed = historyEntrySchema.safeParse(JSON.parse(line))
      if (parsed.success) out.push(parsed.data)
    } catch {
      // A torn last line: skipped.
    }
  }
  return out
}
