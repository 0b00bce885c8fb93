import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { checkSigning, findSigning } from '../scripts/checkSigning.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const config = join(root, '.dependency-cruiser.cjs')
// The CLI that `npm run lint:layers` runs (the package's exports hide its bin and package.json).
const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')

type Violation = { rule: { name: string }; from: string; to: string }

/** dependency-cruiser with the repository's rules, run in `cwd` over `dirs`: the violations it reports. */
async function cruise(cwd: string, dirs: string[]): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, ...dirs, '--config', config, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations
}

describe('layering rules (.dependency-cruiser.cjs)', () => {
  const dirs: string[] = []
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

  it('hold for the tree: no folder cycles, no core folder importing above it', async () => {
    expect(await cruise(root, ['src', 'agents', 'devnet/src'])).toEqual([])
  }, 120_000)

  it('catch each kind of break (a fixture tree with one of each)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-layers-'))
    dirs.push(dir)
    const files: Record<string, string> = {
      'src/chain/reader.ts': "import { info } from '../devnet/info.js'\nexport const reader = info\n",
      'src/chain/book.ts': 'export const book = 1\n',
      'src/devnet/info.ts': "import { book } from '../chain/book.js'\nexport const info = book\n",
      'src/agent/loop.ts': "import { send } from '../wallet/send.js'\nexport const loop = send\n",
      'src/wallet/send.ts': 'export const send = 1\n',
      'src/runtime/root.ts': "import { info } from '../devnet/info.js'\nexport const root = info\n",
      'src/cli/other.ts': 'export const other = 1\n',
      'src/status/model.ts': 'export const status = 1\n',
      'src/dashboard/ok.ts': "import { status } from '../status/model.js'\nexport const ok = status\n",
      'src/dashboard/bad.ts': "import { other } from '../cli/other.js'\nexport const bad = other\n",
      // The devnet package (devnet/): gondola only through its public subpaths; loaded in one place, elsewhere types only.
      'devnet/src/world.ts': "import { book } from '../../src/chain/book.js'\nexport const world = book\n",
      'src/cli/start.ts': "import { world } from '../../devnet/src/world.js'\nexport const start = world\n",
      'src/demo/typed.ts': "import type { world } from '../../devnet/src/world.js'\nexport type Typed = typeof world\n",
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    }
    for (const [f, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, f)), { recursive: true })
      await writeFile(join(dir, f), text)
    }
    const found = (await cruise(dir, ['src', 'devnet/src'])).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort()
    expect(found).toEqual([
      'agent-never-signs: src/agent/loop.ts -> src/wallet/send.ts',
      'chain-is-the-bottom: src/chain/reader.ts -> src/devnet/info.ts',
      'core-imports-nothing-above: src/chain/reader.ts -> src/devnet/info.ts',
      'dashboard-not-cli: src/dashboard/bad.ts -> src/cli/other.ts',
      'devnet-loaded-in-one-place: src/cli/start.ts -> devnet/src/world.ts',
      'devnet-through-public-subpaths: devnet/src/world.ts -> src/chain/book.ts',
      'no-folder-cycles: src/chain -> src/devnet',
      'no-folder-cycles: src/devnet -> src/chain',
      'runtime-beside-devnet: src/runtime/root.ts -> src/devnet/info.ts',
    ])
  }, 120_000)
})

describe('only src/wallet signs (scripts/checkSigning.ts)', () => {
  it('finds no signing site outside src/wallet and the devnet deploy helpers', () => {
    expect(checkSigning(root)).toEqual([])
  })

  it('flags a signing import from viem and a signing call, not a harmless import, a type or a comment', () => {
    const source = [
      "import { createPublicClient, createWalletClient, type WalletClient } from 'viem'",
      "import { privateKeyToAddress, privateKeyToAccount as toAccount } from 'viem/accounts'",
      '// client.writeContract(…) in a comment does not count',
      "const note = 'account.signTransaction() in a string does not count'",
      'await client.writeContract({ address, abi, functionName: "stake" })',
      'const refuse = { signTransaction: () => { throw new Error() } }',
    ].join('\n')
    expect(findSigning('src/x.ts', source)).toEqual([
      { file: 'src/x.ts', line: 1, what: 'imports createWalletClient from viem' },
      { file: 'src/x.ts', line: 2, what: 'imports privateKeyToAccount from viem/accounts' },
      { file: 'src/x.ts', line: 5, what: 'calls .writeContract()' },
    ])
  })
})
