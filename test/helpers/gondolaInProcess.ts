import { runCli } from '../../src/cli/runCli.js'

export type CliResult = { code: number; stdout: string; stderr: string }

let queue: Promise<unknown> = Promise.resolve()

/**
 * Runs `gondola <args>` in this process (`runCli`, the binary minus the process) with `env` laid over the
 * test's environment, and returns its exit code and what it wrote to stdout and stderr. Calls run one at a
 * time: the environment, the standard streams and `process.exitCode` belong to the process. For tests about a
 * command's behaviour (flags, exit class, messages), not about the process: pino's log lines go straight to
 * fd 2 and are not captured (so GONDOLA_LOG_LEVEL defaults to `silent` here, keeping the test output clean), and
 * there is no signal or second process. Tests about logs or processes spawn `bin/gondola.js`.
 *
 * @example
 * ```ts
 * const r = await gondolaInProcess(['swap', '--eth', '1e3'], { GONDOLA_STATE_DIR: stateDir })
 * expect([r.code, r.stderr]).toEqual([2, 'gondola: --eth is not a decimal number …\n'])
 * ```
 */
export function gondolaInProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const result = queue.then(() => runOnce(args, { GONDOLA_LOG_LEVEL: 'silent', ...env }))
  queue = result.catch(() => {})
  return result
}

async function runOnce(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const out: string[] = []
  const err: string[] = []
  const { write: stdoutWrite } = process.stdout
  const { write: stderrWrite } = process.stderr
  for (const [k, v] of Object.entries(env)) setEnv(k, v)
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write
  process.exitCode = undefined
  try {
    const code = await runCli(args)
    return { code, stdout: out.join(''), stderr: err.join('') }
  } finally {
    process.stdout.write = stdoutWrite
    process.stderr.write = stderrWrite
    process.exitCode = undefined
    for (const [k, v] of Object.entries(saved)) setEnv(k, v)
  }
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key]
  else process.env[key] = value
}
