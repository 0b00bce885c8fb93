import { createSpinner } from 'nanospinner'
import { redactText } from '../util/redact.js'

/** Prints one JSON line (for `--json`). bigint values become decimal strings; credentials in URLs are removed. */
export function printJson(value: unknown): void {
  process.stdout.write(`${redactText(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))}\n`)
}

/** Shared `--json` flag definition for citty commands. */
export const jsonArg = { json: { type: 'boolean', description: 'Print one JSON line instead of text', default: false } } as const

/**
 * Runs `task` with a spinner on stderr (only when interactive and not in `--json` mode).
 *
 * @example
 * ```ts
 * const receipt = await withSpinner('Swapping', async (update) => { update('tx 0xab…'); return wait() }, { json: false })
 * ```
 */
export async function withSpinner<T>(text: string, task: (update: (text: string) => void) => Promise<T>, options: { json: boolean }): Promise<T> {
  const enabled = !options.json && Boolean(process.stderr.isTTY)
  if (!enabled) return task(() => {})
  const spinner = createSpinner(text, { stream: process.stderr }).start()
  try {
    const result = await task((t) => spinner.update({ text: t }))
    spinner.success({ text })
    return result
  } catch (err) {
    spinner.error({ text })
    throw err
  }
}
