import { execFile } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { renderCliReference, withCliReference } from '../scripts/cliReference.js'
import { envSchema } from '../src/config/env.js'

const run = promisify(execFile)
const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')

/** Code blocks preceded by `<!-- example: name -->`. */
function examples(): { name: string; code: string }[] {
  return [...readme.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, code: m[2]! }))
}

describe('README', () => {
  it('has library examples, and each one runs', { timeout: 600_000 }, async () => {
    const found = examples()
    expect(found.map((e) => e.name)).toEqual(['provision', 'agent', 'funding', 'ai-sdk'])
    for (const { name, code } of found) {
      // Written at the repo root so the examples' `./src/index.js` imports resolve as a reader's would.
      const file = new URL(`../.readme-example-${name}.ts`, import.meta.url)
      await writeFile(file, code)
      try {
        const { stdout } = await run(process.execPath, ['node_modules/tsx/dist/cli.mjs', file.pathname], { timeout: 180_000 })
        if (name === 'provision') expect(stdout).toMatch(/^3 transactions, agent key \S+…\S+\n.+— Diem before this call: \d/m)
        if (name === 'ai-sdk') expect(stdout).toMatch(/^2 steps, 2 charged: .*get_wallet_balances/m)
        if (name === 'agent') expect(stdout).toMatch(/^completed Based on the tool results: get_forecast returned .*sunny.* \d\.\d{6} Diem/m)
        // funding.minRunwayHours alone triggers the top-up (a year: the short run's runway, some hundred hours, is below it).
        if (name === 'funding') {
          expect(stdout).toMatch(/^completed runway \d+\.\d h$/m)
          expect(stdout).toMatch(/^top-up \(runway\): swapped 0\.01 ETH → [\d.]+ VVV, staked [\d.]+ sVVV, minted [\d.]+ DIEM/m)
        }
      } finally {
        await rm(file, { force: true })
      }
    }
  })

  it('holds the CLI reference generated from the command definitions', async () => {
    expect(readme).toBe(withCliReference(readme, await renderCliReference()))
  })

  it('documents every environment variable, as .env.example does', () => {
    for (const key of Object.keys(envSchema.shape)) expect(readme, key).toContain(`| \`${key}\` |`)
  })
})
