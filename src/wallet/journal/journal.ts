/**
 * The crash-safety journal: one JSON file per (address, chain) in the per-user data directory
 * (`<dataDir>/wallets/<address>/journal-<chainId>.json`), rewritten atomically on every change. It belongs to
 * the wallet ADDRESS, not to a state dir: every state dir on the machine that uses the address shares it, and
 * with it the lock and the daily spend. A journal left in a state dir by an older version
 * (`<stateDir>/wallet/journal-<chainId>-<address>.json`) is merged in once, under the lock. A run is one call of an action (its intent and idempotency key);
 * its steps are the transactions it signed, each recorded with hash and raw bytes BEFORE broadcast
 * and with its outcome AFTER the receipt.
 */
import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { atomicWrite } from '../../util/atomicWrite.js'
import { JournalError } from '../errors.js'
import { FileLockedError, lockFile, type FileLock } from '../../util/fileLock.js'
import { WalletLockedError } from '../errors.js'

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
  /** Marks a closed (`failed`/`interrupted`) run open again, so the next run with its key resumes it. */
  reopenRun(run: JournalRun): Promise<void>
  /** Wei carried by transactions signed on the UTC day of `at` (signed or confirmed: dropped and reverted ones spent nothing). */
  spentOnDay(at: Date): bigint
  /**
   * Takes the journal's inter-process lock (one process at a time runs an action on this wallet): a lock file
   * beside the journal file, or a Postgres advisory lock for the fleet journal.
   *
   * @throws {WalletLockedError} when another live process holds it past `timeoutMs`.
   */
  lock(options: { timeoutMs: number; staleMs: number }): Promise<JournalLock>
}

/**
 * Where a wallet's journal lives: the file journal by default (`openJournal`), or a shared one (Postgres in fleet
 * mode). `createWallet` takes one; it is chosen in one place from the configuration.
 */
export type JournalStore = (parameters: OpenJournalParameters) => Promise<Journal>

/** The unfinished run with this key, if any (shared by every journal adapter). */
export function findResumableRun(runs: readonly JournalRun[], key: string): JournalRun | undefined {
  return runs.find((r) => r.key === key && (r.status === 'open' || r.status === 'failed'))
}

/**
 * Records a signed step on a run (in memory): a step of the same name that was dropped or reverted is replaced by
 * its new attempt, and the run is open again. Both journal stores call it before saving.
 *
 * @example
 * ```ts
 * const step = applySignedStep(run, { name: 'swap', label: 'Swap', to, value: '1', data: '0x', nonce: 3, hash, raw }, new Date())
 * step.status // 'signed'
 * ```
 */
export function applySignedStep(run: JournalRun, step: Omit<JournalStep, 'status' | 'signedAt'>, at: Date): JournalStep {
  const record: JournalStep = { ...step, status: 'signed', signedAt: at.toISOString() }
  const i = run.steps.findIndex((s) => s.name === step.name)
  if (i >= 0) run.steps.splice(i, 1)
  run.steps.push(record)
  run.status = 'open'
  return record
}

/** Wei carried by the transactions of `runs` signed on the UTC day of `at` (shared by every journal adapter). */
export function spentOnDayOf(runs: readonly JournalRun[], at: Date): bigint {
  const day = at.toISOString().slice(0, 10)
  let total = 0n
  for (const run of runs)
    for (const s of run.steps) if ((s.status === 'signed' || s.status === 'confirmed') && s.signedAt.slice(0, 10) === day) total += BigInt(s.value)
  return total
}

export type OpenJournalParameters = {
  /** The per-user data directory (`GONDOLA_DATA_DIR`): the journal is `<dataDir>/wallets/<address>/journal-<chainId>[-<instance>].json`. */
  dataDir: string
  /** A state dir that may hold a journal written by an older version, merged in once. */
  stateDir?: string | undefined
  chainId: number
  /** Tells apart chains that share an id (each fresh devnet): e.g. the genesis hash prefix. */
  chainInstance?: string | undefined
  address: Address
  now?: (() => Date) | undefined
}

/** The journal file of one address on one chain. */
export function journalPathOf(p: Pick<OpenJournalParameters, 'dataDir' | 'chainId' | 'chainInstance' | 'address'>): string {
  return join(p.dataDir, 'wallets', p.address.toLowerCase(), `journal-${p.chainId}${p.chainInstance ? `-${p.chainInstance}` : ''}.json`)
}

/**
 * Opens (or creates on first write) the journal for one wallet on one chain.
 *
 * @throws {JournalError} if the file exists but is not a valid journal.
 *
 * @example
 * ```ts
 * const journal = await openJournal({ dataDir: defaultDataDir(), chainId: 8453, address })
 * journal.spentOnDay(new Date()) // wei spent today (UTC)
 * ```
 */
export async function openJournal(parameters: OpenJournalParameters): Promise<Journal> {
  const { stateDir, chainId, address, now = () => new Date() } = parameters
  const path = journalPathOf(parameters)
  if (stateDir) await migrateLegacy(join(stateDir, 'wallet', `journal-${chainId}-${address.toLowerCase()}.json`), path, { chainId, address })
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
    findResumable: (key) => findResumableRun(runs, key),
    async startRun(key, intent) {
      const at = now().toISOString()
      const run: JournalRun = { key, intent, status: 'open', createdAt: at, updatedAt: at, steps: [] }
      runs.push(run)
      await save()
      return run
    },
    async recordSigned(run, step) {
      const record = applySignedStep(run, step, now())
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
    async reopenRun(run) {
      run.status = 'open'
      touch(run)
      await save()
    },
    spentOnDay: (at) => spentOnDayOf(runs, at),
    lock: ({ timeoutMs, staleMs }) => lockJournal(path, timeoutMs, staleMs),
  }
}

/**
 * Merges a journal an older version kept in a state dir into the per-address one, under the per-address lock,
 * then renames the old file to `<old>.migrated` (kept for inspection). Runs already present (same key and
 * creation time) are not duplicated, so two state dirs migrating at once, or a retried migration, are safe.
 */
async function migrateLegacy(legacy: string, path: string, meta: { chainId: number; address: Address }): Promise<void> {
  let legacyRuns: JournalRun[]
  try {
    legacyRuns = await load(legacy, { missingOk: false })
  } catch (err) {
    if (err instanceof JournalError && err.missing) return
    throw err
  }
  const lock = await lockJournal(path, 30_000, 300_000)
  try {
    const runs = await load(path)
    const seen = new Set(runs.map((r) => `${r.key}\u0000${r.createdAt}`))
    for (const r of legacyRuns) if (!seen.has(`${r.key}\u0000${r.createdAt}`)) runs.push(r)
    runs.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
    await atomicWrite(path, `${JSON.stringify({ version: 1, chainId: meta.chainId, address: meta.address, runs }, null, 2)}\n`)
    await rename(legacy, `${legacy}.migrated`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err // another process migrated it meanwhile
    })
  } finally {
    await lock.release()
  }
}

async function load(path: string, o: { missingOk?: boolean } = {}): Promise<JournalRun[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (o.missingOk !== false) return []
      throw Object.assign(new JournalError(`No wallet journal at ${path}.`, path), { missing: true })
    }
    throw new JournalError(`Cannot read the wallet journal at ${path}.`, path, {
      cause: err,
      metaMessages: ['Check the permissions of the data directory (GONDOLA_DATA_DIR).'],
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new JournalError(`The wallet journal at ${path} is not valid JSON.`, path, {
      cause,
      metaMessages: ['Inspect it; move it away only if no transaction is pending.'],
    })
  }
  const parsed = fileSchema.safeParse(json)
  if (!parsed.success)
    throw new JournalError(`The wallet journal at ${path} has an unexpected shape.`, path, {
      metaMessages: ['Inspect it; move it away only if no transaction is pending.'],
    })
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

/** A held journal lock (the file lock, or a fleet's Postgres advisory lock). */
export type JournalLock = FileLock

/** The journal's file lock; a timeout is a `WalletLockedError` (the wallet is busy, nothing was sent). */
async function lockJournal(path: string, timeoutMs: number, staleMs: number): Promise<JournalLock> {
  try {
    return await lockFile({ path, timeoutMs, staleMs })
  } catch (err) {
    if (err instanceof FileLockedError) throw new WalletLockedError(err.lockPath, err.holder, err.timeoutMs)
    throw err
  }
}
