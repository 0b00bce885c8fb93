import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The package version, from Gondola's own package.json, found up the tree from this file (`src/cli/` in a clone,
 * `dist/src/cli/` in the installed package).
 *
 * @example
 * ```ts
 * packageVersion() // '0.1.0'
 * ```
 */
export function packageVersion(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const file = join(d, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'gondola') return pkg.version ?? '0.0.0'
    }
    if (dirname(d) === d) return '0.0.0'
  }
}
