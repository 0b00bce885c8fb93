import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { RunResult } from '../agent/runAgent.js'

/** One finished agent run, as kept in `<state>/runs.jsonl` (what the dashboard shows per agent). */
export type RunRecord = {
  ts: string
  agent: string
  status: RunResult['status']
  model: string
  steps: number
  toolCalls: number
  toolErrors: number
  costDiem: number
  costUsd: number
  /** The run's id when it came through the fleet's queue (the job id): a retried job records its run once. */
  runId?: string | undefined
}

/**
 * Where finished runs are recorded: the JSONL file by default (`fileRunHistory`), a Postgres table in fleet
 * mode (`pgRunHistory`, idempotent by `runId`).
 */
export type RunHistory = {
  append(agent: string, result: RunResult, options?: { runId?: string | undefined }): Promise<void>
  read(): Promise<RunRecord[]>
}

/** The record of one finished run (only counts and status: no prompt, no output). */
export function runRecordOf(agent: string, r: RunResult, at: number, runId?: string): RunRecord {
  return {
    ts: new Date(at).toISOString(),
    agent,
    status: r.status,
    model: r.model,
    steps: r.steps,
    toolCalls: r.toolCalls,
    toolErrors: r.toolErrors,
    costDiem: r.costDiem,
    costUsd: r.costUsd,
    ...(runId ? { runId } : {}),
  }
}

/**
 * The run history in a JSONL file (mode 0600), as `gondola run` keeps it in `<state>/runs.jsonl`.
 *
 * @example
 * ```ts
 * const history = fileRunHistory('.gondola/runs.jsonl')
 * await history.append('treasurer', result)
 * ```
 */
export function fileRunHistory(path: string, now: () => number = Date.now): RunHistory {
  return {
    async append(agent, r, o) {
      const record = runRecordOf(agent, r, now(), o?.runId)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      await appendFile(path, `${JSON.stringify(record)}\n`, { mode: 0o600 })
    },
    read: () => readRunRecords(path),
  }
}

/**
 * Appends a run's outcome to the run history (JSONL, mode 0600). Only counts and status: no prompt, no output.
 *
 * @example
 * ```ts
 * await appendRunRecord('.gondola/runs.jsonl', 'treasurer', result)
 * ```
 */
export async function appendRunRecord(path: string, agent: string, r: RunResult, now: () => number = Date.now): Promise<void> {
  await fileRunHistory(path, now).append(agent, r)
}

/** Reads the run history (a missing file is an empty history; a torn last line is skipped). */
export async function readRunRecords(path: string): Promise<RunRecord[]> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)))
  return text.split('\n').flatMap((line) => {
    if (!line) return []
    try {
      return [JSON.parse(line) as RunRecord]
    } catch {
      return []
    }
  })
}
