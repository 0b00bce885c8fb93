import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { AnvilNotFoundError } from '../errors.js'

const require = createRequire(import.meta.url)

/**
 * Finds the anvil binary shipped by `@foundry-rs/anvil`: first the platform package
 * (`@foundry-rs/anvil-<os>-<arch>/bin/anvil`), then `node_modules/.bin/anvil`.
 *
 * @returns the absolute path of an executable anvil.
 * @throws {AnvilNotFoundError} when neither exists.
 *
 * @example
 * ```ts
 * const anvil = resolveAnvilBinary() // '/repo/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil'
 * ```
 */
export function resolveAnvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`
  const tried: string[] = []
  try {
    const binary = join(dirname(require.resolve(`${platformPackage}/package.json`)), 'bin', 'anvil')
    if (existsSync(binary)) return binary
    tried.push(binary)
  } catch {
    tried.push(`${platformPackage} (not installed)`)
  }
  const fallback = resolve('node_modules', '.bin', 'anvil')
  if (existsSync(fallback)) return fallback
  tried.push(fallback)
  throw new AnvilNotFoundError('The anvil binary was not found.', {
    metaMessages: [
      `The devnet's toolchain is optional: install it beside gondola with \`npm install -D @foundry-rs/anvil solc @openzeppelin/contracts\` (a project from \`gondola init\` has it; never install with --omit=optional: the binary lives in the optional package ${platformPackage}).`,
      `Tried: ${tried.join(', ')}`,
    ],
    code: 'ANVIL_NOT_FOUND',
  })
}
