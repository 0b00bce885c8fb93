import { createSpinner } from 'nanospinner'
import { publicText } from '../util/publicError.js'
import { getLogger } from '../util/logger.js'
import { onPrompt } from '../util/terminalPrompt.js'
import { displayJson } from './format.js'

/** Prints one JSON line (for `--json`). bigint values become decimal strings; float noise is rounded off; credentials in URLs are removed. */
export function printJson(value: unknown): void {
  process.stdout.write(`${publicText(JSON.stringify(value, (_k, v) => displayJson(v)))}
`)
}

/** Shared `--json` flag definition for citty commands. */
export const jsonArg = { json: { type: 'boolean', description: 'Print one JSON line instead of text', default: false } } as const

/** Reports what a command is doing or waiting for. `fields` (tx hash, counts) go to the log as fields. */
export type Progress = (text: string, fields?: Record<string, unknown>) => void

/**
 * Runs `task` with progress on stderr, never on stdout (so `--json` output stays one clean line): a spinner
 * whose text `update` changes when stderr is a terminal, otherwise one `info` log line per update
 * (component `progress`, honouring GONDOLA_LOG_LEVEL).
 *
 * @example
 * ```ts
 * const receipt = await withSpinner('Swapping', async (update) => { update('waiting for the receipt', { hash }); return wait() }, { json: false })
 * ```
 */
export async function withSpinner<T>(text: string, task: (update: Progress) => Promise<T>, _options: { json: boolean }): Promise<T> {
  // A terminal that reports no width (a 0-column pty) gets log lines: a spinner cannot lay out a line there.
  if (!process.stderr.isTTY || !(process.stderr.columns > 0)) {
    const log = getLogger('progress')
    log.info(text)
    return task((t, fields) => log.info(t, fields))
  }
  const spinner = createSpinner(text, { stream: process.stderr })
  // nanospinner exits the process (130) on SIGINT/SIGTERM while it spins: that would cut a step in flight. The
  // command's own shutdown handler (src/util/shutdown.ts) decides; the spinner's handlers are taken off again.
  const start = () => {
    const before = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')])
    spinner.start()
    if (before.size) for (const sig of ['SIGINT', 'SIGTERM'] as const) for (const l of process.listeners(sig)) if (!before.has(l)) process.off(sig, l)
  }
  // The spinner hides the cursor; a forced exit must not leave it hidden.
  const showCursor = () => void process.stderr.write('\u001B[?25h')
  process.on('exit', showCursor)
  start()
  // A password prompt gets the line to itself: the spinner is cleared while it waits, and resumes after.
  const off = onPrompt((prompting) => void (prompting ? spinner.clear().stop() : start()))
  try {
    const result = await task((t, fields) => spinner.update({ text: typeof fields?.hash === 'string' ? `${t} (tx ${fields.hash})` : t }))
    spinner.success({ text })
    return result
  } catch (err) {
    spinner.error({ text })
    throw err
  } finally {
    off()
    process.off('exit', showCursor)
  }
}

/**
 * One progress line for a wait, saying what it waits for and how far along the work is.
 *
 * @example
 * ```ts
 * waitText("Venice's key-creation limit", 38_000, { done: 12, total: 20, unit: 'keys minted' })
 * // "waiting 38 s for Venice's key-creation limit, 12/20 keys minted"
 * ```
 */
export function waitText(what: string, ms: number, progress?: { done: number; total: number; unit: string }): string {
  return `waiting ${Math.max(1, Math.round(ms / 1000))} s for ${what}${progress ? `, ${progress.done}/${progress.total} ${progress.unit}` : ''}`
}
