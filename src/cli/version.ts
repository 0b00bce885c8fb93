import { readFileSync } from 'node:fs'

/**
 * The package version, from package.json (two levels up from `src/cli/` and from a build's `dist/cli/`).
 *
 * @example
 * ```ts
 * packageVersion() // '0.1.0'
 * ```
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
  return pkg.version ?? '0.0.0'
}
