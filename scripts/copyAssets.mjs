// The build's second step. One `tsc` compiles gondola and the devnet workspace together (tsconfig.json `paths`
// join them); this moves the devnet package's output to its own folder (dist/devnet/src -> devnet/dist, which
// `npm pack -w devnet` ships), then copies the files each package reads next to its modules (emulator spec and
// data, contract artifacts and Solidity sources for the compile-hash check, shipped JSON agents and personas) at
// the same relative paths, so `new URL('./openapi.yaml', import.meta.url)` works from dist too.
// Plain Node (no tsx): it runs after `tsc` on a machine that may only have the compiled package.
import { cp, readdir, rename, rm } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ASSETS = /\.(json|ya?ml|sol|sql)$/

/** Every asset under `dir` (recursively), as paths relative to the repo root. */
async function assetsIn(dir) {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && ASSETS.test(e.name)).map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
}

await rm(join(root, 'devnet', 'dist'), { recursive: true, force: true })
await rename(join(root, 'dist', 'devnet', 'src'), join(root, 'devnet', 'dist'))
await rm(join(root, 'dist', 'devnet'), { recursive: true, force: true })

const files = [...(await assetsIn('src')), ...(await assetsIn('agents'))]
await Promise.all(files.map((f) => cp(join(root, f), join(root, 'dist', f))))
const devnetFiles = (await assetsIn('devnet/src')).map((f) => relative('devnet/src', f))
await Promise.all(devnetFiles.map((f) => cp(join(root, 'devnet', 'src', f), join(root, 'devnet', 'dist', f))))
process.stdout.write(`copied ${files.length} runtime assets into dist/ and ${devnetFiles.length} into devnet/dist/\n`)

// The Uniswap artifacts the devnet deploys, in one file (abi + bytecode only): the @uniswap packages are
// development dependencies (their own dependencies pull Hardhat in as a peer). Same list as
// devnet/src/devnet/deploy/uniswapArtifacts.ts, which reads this file when it exists.
const { createRequire } = await import('node:module')
const { writeFile } = await import('node:fs/promises')
const require = createRequire(join(root, 'package.json'))
const UNISWAP = {
  factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
  positionManager: '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
  quoter: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
  swapRouter: '@uniswap/swap-router-contracts/artifacts/contracts/SwapRouter02.sol/SwapRouter02.json',
}
const versions = ['@uniswap/v3-core', '@uniswap/v3-periphery', '@uniswap/swap-router-contracts'].map((p) => `${p}@${require(`${p}/package.json`).version}`)
const artifacts = Object.fromEntries(
  Object.entries(UNISWAP).map(([name, path]) => {
    const { abi, bytecode, deployedBytecode } = require(path)
    return [name, { abi, bytecode, deployedBytecode }]
  }),
)
await writeFile(join(root, 'devnet', 'dist', 'devnet', 'artifacts', 'uniswap.json'), JSON.stringify({ versions, artifacts }))
process.stdout.write('wrote devnet/dist/devnet/artifacts/uniswap.json\n')
