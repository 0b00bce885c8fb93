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
  const record: RunRecord = { ts: new Date(now()).toISOString(), agent, status: r.status, model: r.model, steps: r.steps, toolCalls: r.toolCalls, toolErrors: r.toolErrors, costDiem: r.costDiem, costUsd: r.costUsd }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  await appendFile(path, `${JSON.stringify(record)}\n`, { mode: 0o600 })
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
