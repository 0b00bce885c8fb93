/**
 * `npm run bench`: runs every `scripts/bench/*.ts` module's `bench()` in turn and prints one
 * markdown table of the figures, with ratios against the baselines measured in the same run.
 * `npm run bench -- devnet wallet` runs only the named modules.
 */
import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join, basename } from 'node:path'
import type { BenchRow } from './bench/types.js'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench')
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const json = process.argv.includes('--json')

const modules = (await readdir(dir))
  .filter((f) => f.endsWith('.ts') && f !== 'types.ts')
  .map((f) => basename(f, '.ts'))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort()

const rows: (BenchRow & { module: string })[] = []
for (const name of modules) {
  const mod = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as { bench?: () => Promise<BenchRow[]> }
  if (typeof mod.bench !== 'function') continue
  process.stderr.write(`bench: ${name}…\n`)
  try {
    for (const row of await mod.bench()) rows.push({ ...row, module: name })
  } catch (err) {
    process.stderr.write(`bench: ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
}

if (json) {
  process.stdout.write(`${JSON.stringify(rows)}\n`)
} else {
  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toPrecision(3))
  const lines = [
    '| issue | metric | value | baseline | ratio | goal | spread |',
    '|---:|---|---:|---:|---:|---|---|',
    ...rows
      .sort((a, b) => a.issue - b.issue)
      .map((r) =>
        [
          `#${r.issue}`,
          r.metric,
          `${fmt(r.value)} ${r.unit}`,
          r.baseline !== undefined ? `${fmt(r.baseline)} ${r.unit}` : '',
          r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : r.baseline ? `${(r.value / r.baseline).toFixed(2)}×` : '',
          r.goal ?? '',
          r.spread ?? '',
        ].join(' | '),
      )
      .map((l) => `| ${l} |`),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
