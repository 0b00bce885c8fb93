/**
 * Issue 25: how heavy the runtime package is for a user. `npm pack` (which builds dist/), then an install of the
 * tarball alone into an empty project (runtime dependencies only: a dependency's devDependencies and optional
 * peers are never installed), offline from the npm cache that `npm ci` filled (test/helpers/offlineInstall.ts).
 * Measured there, against the issue's targets:
 * - the size of node_modules (`du`, disk usage; and the file bytes alone, `du --apparent-size`);
 * - cold `gondola --version` and `gondola wallet address` (a new process each time; median of 5);
 * - a cold `import('gondola')` (median of 5).
 * The baseline of the timings is a bare `node -e 0` on the same machine at the same moment, so that a busy
 * machine shows as a slow baseline rather than as a slow Gondola.
 *
 * `npm run bench -- runtime`
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { installOffline } from '../../test/helpers/offlineInstall.js'
import type { BenchRow } from './types.js'

const exec = promisify(execFile)
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** anvil's first published development key: a test key with no value anywhere, so its address can be printed. */
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Milliseconds of one cold process, median of `n`. */
async function coldMs(args: string[], cwd: string, env: Record<string, string> = {}, n = 5): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await exec(process.execPath, args, { cwd, env: { ...process.env, GONDOLA_LOG_LEVEL: 'silent', ...env } })
    times.push(performance.now() - t)
  }
  return median(times)
}

export async function bench(): Promise<BenchRow[]> {
  const work = await mkdtemp(join(tmpdir(), 'gondola-bench-runtime-'))
  try {
    const { stdout } = await exec('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 })
    const tarball = join(work, stdout.trim().split('\n').at(-1)!)
    const proj = join(work, 'app')
    execFileSync('mkdir', ['-p', proj])
    await writeFile(
      join(proj, 'package.json'),
      JSON.stringify({ name: 'app', version: '0.0.0', private: true, type: 'module', dependencies: { gondola: `file:${tarball}` } }),
    )
    await installOffline(proj, tarball)
    const kb = Number(execFileSync('du', ['-sk', join(proj, 'node_modules')], { encoding: 'utf8' }).split('\t')[0])
    // The bytes themselves: `du` counts whole 4 KiB blocks, which for ~20,000 small files is a third of the total.
    const apparentKb = Number(execFileSync('du', ['-sk', '--apparent-size', join(proj, 'node_modules')], { encoding: 'utf8' }).split('\t')[0])
    const bin = join(proj, 'node_modules', 'gondola', 'bin', 'gondola.js')
    const node = await coldMs(['-e', '0'], proj)
    const version = await coldMs([bin, '--version'], proj)
    const address = await coldMs([bin, 'wallet', 'address'], proj, { GONDOLA_PRIVATE_KEY: DEV_KEY })
    const imported = await coldMs(['--input-type=module', '-e', "await import('gondola')"], proj)
    const rows: BenchRow[] = [
      {
        issue: 25,
        metric: 'install of the runtime tarball (runtime dependencies only): node_modules',
        value: kb / 1024,
        unit: 'MB',
        goal: '≤ 120 MB (442 MB before)',
      },
      {
        issue: 25,
        metric: 'the same install, apparent size (file bytes, `du --apparent-size`)',
        value: apparentKb / 1024,
        unit: 'MB',
      },
      {
        issue: 25,
        metric: 'cold `gondola --version` from the packed install',
        value: version / 1000,
        unit: 's',
        baseline: node / 1000,
        goal: '≤ 0.4 s on an idle machine',
      },
      {
        issue: 25,
        metric: 'cold `gondola wallet address` from the packed install',
        value: address / 1000,
        unit: 's',
        baseline: node / 1000,
        goal: '≤ 0.4 s on an idle machine',
      },
      {
        issue: 25,
        metric: "cold `import('gondola')` from the packed install",
        value: imported / 1000,
        unit: 's',
        baseline: node / 1000,
        goal: '≤ 1 s (≈6.5 s before, busy machine)',
      },
    ]
    for (const r of rows)
      process.stderr.write(
        `bench runtime: ${r.metric}: ${r.value.toFixed(2)} ${r.unit} (${r.goal ? `target ${r.goal}; ` : ''}bare node ${(node / 1000).toFixed(2)} s)\n`,
      )
    return rows
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 3 })
  }
}
