/**
 * The crash-safety journal: one JSON file per (chain, address) in the state directory, rewritten
 * atomically on every change. A run is one call of an action (its intent and idempotency key);
 * its steps are the transactions it signed, each recorded with hash and raw bytes BEFORE broadcast
 * and with its outcome AFTER the receipt.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { atomicWrite } from '../../util/atomicWrite.js'
import { JournalError } from '../errors.js'

export type StepStatus = 'signed' | 'confirmed' | 'reverted' | 'dropped'
export type RunStatus = 'open' | 'done' | 'failed' | 'interrupted'

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<Hex>
const stepSchema = z.object({
  name: z.string(),
  label: z.string(),
  to: z.string() as unknown as z.ZodType<Address>,
  value: z.string(),
  data: hex,
  nonce: z.number().int(),
  hash: hex,
  raw: hex,
  status: z.enum(['signed', 'confirmed', 'reverted', 'dropped']),
  signedAt: z.string(),
  blockNumber: z.string().optional(),
  gasUsed: z.string().optional(),
})
const runSchema = z.object({
  key: z.string(),
  intent: z.string(),
  status: z.enum(['open', 'done', 'failed', 'interrupted']),
  createdAt: z.string(),
  updatedAt: z.string(),
  steps: z.array(stepSchema),
})
const fileSchema = z.object({ version: z.literal(1), chainId: z.number(), address: z.string(), runs: z.array(runSchema) })

export type JournalStep = z.infer<typeof stepSchema>
export type JournalRun = z.infer<typeof runSchema>

export type Journal = {
  readonly path: string
  /** Every run, oldest first. */
  runs(): readonly JournalRun[]
  /** The unfinished run with this key, if any (open or failed: its confirmed steps are not repeated). */
  findResumable(key: string): JournalRun | undefined
  startRun(key: string, intent: string): Promise<JournalRun>
  /** Records a signed transaction before it is broadcast. */
  recordSigned(run: JournalRun, step: Omit<JournalStep, 'status' | 'signedAt'>): Promise<JournalStep>
  recordOutcome(run: JournalRun, step: JournalStep, outcome: Pick<JournalStep, 'status'> & Partial<Pick<JournalStep, 'blockNumber' | 'gasUsed'>>): Promise<void>
  closeRun(run: JournalRun, status: Exclude<RunStatus, 'open'>): Promise<void>
  /** Re-reads the file, dropping the in-memory runs: another process may have written it since (call it under the journal lock). */
  reload(): Promise<void>
  /** Wei carried by transactions signed on the UTC day of `at` (signed or confirmed: dropped and reverted ones spent nothing). */
  spentOnDay(at: Date): bigint
}

export type OpenJournalParameters = { stateDir: string; chainId: number; address: Address; now?: (() => Date) | undefined }

/**
 * Opens (or creates on first write) the journal for one wallet on one chain.
 *
 * @throws {JournalError} if the file exists but is not a valid journal.
 *
 * @example
 * ```ts
 * const journal = await openJournal({ stateDir: '.gondola', chainId: 8453, address })
 * journal.spentOnDay(new Date()) // wei spent today (UTC)
 * ```
 */
export async function openJournal(parameters: OpenJournalParameters): Promise<Journal> {
  const { stateDir, chainId, address, now = () => new Date() } = parameters
  const path = join(stateDir, 'wallet', `journal-${chainId}-${address.toLowerCase()}.json`)
  const runs: JournalRun[] = await load(path)

  const save = async (): Promise<void> => {
    prune(runs, now())
    await atomicWrite(path, `${JSON.stringify({ version: 1, chainId, address, runs }, null, 2)}\n`)
  }
  const touch = (run: JournalRun): void => {
    run.updatedAt = now().toISOString()
  }

  return {
    path,
    runs: () => runs,
    findResumable: (key) => runs.find((r) => r.key === key && (r.status === 'open' || r.status === 'failed')),
    async startRun(key, intent) {
      const at = now().toISOString()
      const run: JournalRun = { key, intent, status: 'open', createdAt: at, updatedAt: at, steps: [] }
      runs.push(run)
      await save()
      return run
    },
    async recordSigned(run, step) {
      const record: JournalStep = { ...step, status: 'signed', signedAt: now().toISOString() }
      // A step that was dropped or reverted is replaced by its new attempt.
      const i = run.steps.findIndex((s) => s.name === step.name)
      if (i >= 0) run.steps.splice(i, 1)
      run.steps.push(record)
      run.status = 'open'
      touch(run)
      await save()
      return record
    },
    async recordOutcome(run, step, outcome) {
      Object.assign(step, outcome)
      touch(run)
      await save()
    },
    async closeRun(run, status) {
      run.status = status
      touch(run)
      await save()
    },
    async reload() {
      runs.splice(0, runs.length, ...(await load(path)))
    },
    spentOnDay(at) {
      const day = at.toISOString().slice(0, 10)
      let total = 0n
      for (const run of runs)
        for (const s of run.steps) if ((s.status === 'signed' || s.status === 'confirmed') && s.signedAt.slice(0, 10) === day) total += BigInt(s.value)
      return total
    },
  }
}

async function load(path: string): Promise<JournalRun[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new JournalError(`Cannot read the wallet journal at ${path}.`, path, { cause: err, metaMessages: ['Check the permissions of the state directory (GONDOLA_STATE_DIR).'] })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new JournalError(`The wallet journal at ${path} is not valid JSON.`, path, { cause, metaMessages: ['Inspect it; move it away only if no transaction is pending.'] })
  }
  const parsed = fileSchema.safeParse(json)
  if (!parsed.success) throw new JournalError(`The wallet journal at ${path} has an unexpected shape.`, path, { metaMessages: ['Inspect it; move it away only if no transaction is pending.'] })
  return parsed.data.runs
}

/** Keeps every unfinished run, every run touched in the last two days (the daily cap needs today), and the last 100 others. */
function prune(runs: JournalRun[], now: Date): void {
  const horizon = now.getTime() - 2 * 86_400_000
  const closedOld = runs.filter((r) => r.status !== 'open' && Date.parse(r.updatedAt) < horizon)
  const drop = new Set(closedOld.slice(0, Math.max(0, closedOld.length - 100)))
  if (drop.size === 0) return
  const kept = runs.filter((r) => !drop.has(r))
  runs.splice(0, runs.length, ...kept)
}
