import { createSpinner } from 'nanospinner'

/** How the demo tells its story: numbered steps with spinners for people, one JSON document for `--json`. */
export type Reporter = {
  /** Runs one numbered step; its spinner shows while `task` runs (interactive text mode only). */
  step<T>(title: string, task: (note: (text: string) => void) => Promise<T>): Promise<T>
  /** One indented line under the current step (text mode). */
  line(text: string): void
  /** Records data for the final JSON document (and the summary). */
  record(key: string, value: unknown): void
  /** The recorded data. */
  data(): Record<string, unknown>
}

/**
 * A reporter printing to `out` (stdout), spinners on stderr when it is a terminal.
 *
 * @example
 * ```ts
 * const report = createReporter({ json: false, totalSteps: 6 })
 * await report.step('Starting the local world', async () => startLocalWorld())
 * ```
 */
export function createReporter(o: { json: boolean; totalSteps: number; out?: NodeJS.WritableStream; spinners?: boolean }): Reporter {
  const out = o.out ?? process.stdout
  const spinners = (o.spinners ?? Boolean(process.stderr.isTTY)) && !o.json
  const data: Record<string, unknown> = {}
  let n = 0
  // While a spinner owns the terminal, lines wait and are printed under the finished step.
  let pending: string[] | undefined
  const write = (s: string) => {
    if (!o.json) out.write(`${s}\n`)
  }
  return {
    async step(title, task) {
      n++
      const label = `[${n}/${o.totalSteps}] ${title}`
      if (!spinners) {
        write(`\n${label}`)
        return task(() => {})
      }
      const spinner = createSpinner(label, { stream: process.stderr }).start()
      pending = []
      try {
        const result = await task((text) => spinner.update({ text: `${label} — ${text}` }))
        spinner.success({ text: label })
        return result
      } catch (err) {
        spinner.error({ text: label })
        throw err
      } finally {
        const lines = pending
        pending = undefined
        for (const l of lines) write(l)
      }
    },
    line: (text) => (pending ? pending.push(`      ${text}`) : write(`      ${text}`)),
    record: (key, value) => {
      data[key] = value
    },
    data: () => data,
  }
}
