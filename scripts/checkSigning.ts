/**
 * `npm run lint:layers`, second half: only `src/wallet` signs transactions (README, "Architecture"). Hand-written
 * because dependency-cruiser sees which modules a file imports, not which names: `import { createPublicClient }
 * from 'viem'` is harmless, `import { createWalletClient } from 'viem'` is a second signing path. Parsed with the
 * TypeScript compiler (no regex over source), so comments and strings never count.
 *
 * Flags, in src/ and agents/ (tests excluded):
 * - an import of a signing name from viem (`createWalletClient`, `walletActions`, `privateKeyToAccount`, …);
 * - a call of a signing method on anything (`x.writeContract(…)`, `account.signTransaction(…)`, …).
 *
 * Allowed: src/wallet (the signing chokepoint), and the devnet's deploy helpers (devnet/src/devnet/deploy, devStake.ts, faucet.ts),
 * which deploy the local contracts and stake from anvil's dev accounts before any wallet exists, and the emulator's
 * x402 facilitator (devnet/src/emulator/x402/facilitatorSigner.ts, its funded account made in devnet/src/devnet/x402Settlement.ts),
 * which plays Venice's side: it submits the payer's signed EIP-3009 transfer, as Venice's facilitator does.
 *
 * Exit 0 when clean, 1 with one line per finding (file:line: what) on stderr.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** Names that create a transaction signer or send a signed transaction. */
export const SIGNING_NAMES = new Set([
  'createWalletClient',
  'walletActions',
  'sendTransaction',
  'writeContract',
  'signTransaction',
  'sendRawTransaction',
  'deployContract',
  'privateKeyToAccount',
  'mnemonicToAccount',
  'hdKeyToAccount',
])

/** Where signing is allowed (paths relative to the repository root). */
export const SIGNING_ALLOWED = [
  /^src\/wallet\//,
  /^devnet\/src\/devnet\/deploy\//,
  /^devnet\/src\/devnet\/(devStake|faucet|x402Settlement)\.ts$/,
  /^devnet\/src\/emulator\/x402\/facilitatorSigner\.ts$/,
]

export type SigningFinding = { file: string; line: number; what: string }

/**
 * The signing sites in one file's source.
 *
 * @example
 * ```ts
 * findSigning('src/x.ts', "import { createWalletClient } from 'viem'") // [{ file: 'src/x.ts', line: 1, what: 'imports createWalletClient from viem' }]
 * ```
 */
export function findSigning(file: string, source: string): SigningFinding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: SigningFinding[] = []
  const at = (node: ts.Node, what: string) => found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what })
  const visit = (node: ts.Node): void => {
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      /^viem(\/|$)/.test(node.moduleSpecifier.text) &&
      !node.importClause?.isTypeOnly
    ) {
      const named = node.importClause?.namedBindings
      if (named && ts.isNamedImports(named)) {
        for (const el of named.elements) {
          const name = (el.propertyName ?? el.name).text
          if (!el.isTypeOnly && SIGNING_NAMES.has(name)) at(el, `imports ${name} from ${node.moduleSpecifier.text}`)
        }
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && SIGNING_NAMES.has(node.expression.name.text)) {
      at(node, `calls .${node.expression.name.text}()`)
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return found
}

function sources(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
}

/**
 * Every signing site outside the allowed places, in src/, agents/ and the devnet package (devnet/src) under `root`.
 *
 * @example
 * ```ts
 * checkSigning(process.cwd()) // [] when only src/wallet signs
 * ```
 */
export function checkSigning(root: string): SigningFinding[] {
  return ['src', 'agents', 'devnet/src']
    .flatMap((d) => sources(root, d))
    .filter((f) => !SIGNING_ALLOWED.some((re) => re.test(f)))
    .flatMap((f) => findSigning(f, readFileSync(join(root, f), 'utf8')))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(import.meta.url), '..', '..')
  const findings = checkSigning(root)
  for (const f of findings) process.stderr.write(`${f.file}:${f.line}: ${f.what}: only src/wallet signs transactions (README, Architecture)\n`)
  if (findings.length) {
    process.stderr.write(`x ${findings.length} signing site${findings.length > 1 ? 's' : ''} outside src/wallet\n`)
    process.exitCode = 1
  } else process.stderr.write('✔ only src/wallet (and the devnet deploy helpers) sign transactions\n')
}
