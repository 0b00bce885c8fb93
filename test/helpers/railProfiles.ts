import { parseEther } from 'viem'
import { EXIT_GAS_UNITS } from '../../src/autopilot/rails.js'
import { dollars } from '../../src/autopilot/railsFormat.js'
import { formatShort } from '../../src/wallet/amounts.js'
import { autopilotStore } from '../../src/autopilot/store.js'
import { compareRailsNow } from '../../src/autopilot/railPass.js'
import type { RailComparison } from '../../src/autopilot/rails.js'
import { devStake } from '../../devnet/src/devnet/devStake.js'
import type { Devnet } from '../../devnet/src/devnet/startDevnet.js'
import { testWallet } from './testWallet.js'

/** The usage profiles the README compares: Diem per day, over a day and over 30 days. */
export const RAIL_PROFILES = [
  { usage: '0.05', horizonDays: 1 },
  { usage: '0.05', horizonDays: 30 },
  { usage: '2', horizonDays: 1 },
  { usage: '2', horizonDays: 30 },
  { usage: '50', horizonDays: 1 },
  { usage: '50', horizonDays: 30 },
] as const

/** Another staker's sVVV in the rails world: the devnet's 0.44 VVV/s then pays ≈ 46 % a year. */
export const RAILS_WORLD_WHALE_SVVV = parseEther('30000000')

/**
 * The world the rail comparison is measured in: the devnet's pools (its own USDC and WETH/USDC pools), another staker
 * holding 30 M sVVV, the 0.1 staked-DIEM rule on. Call in `beforeAll` after `useDevnet`.
 *
 * @example
 * ```ts
 * beforeAll(() => railsWorld(devnet()))
 * ```
 */
export async function railsWorld(devnet: Devnet): Promise<void> {
  if (!devnet.addresses.usdc) throw new Error('railsWorld: this devnet has no USDC (its address book has no usdc)')
  await devStake(devnet, 9, RAILS_WORLD_WHALE_SVVV)
}

/**
 * Both rails priced for a fresh wallet holding 1 ETH (nothing sent).
 *
 * @example
 * ```ts
 * const cmp = await compareProfile(devnet(), { usage: '2', horizonDays: 30 })
 * ```
 */
export async function compareProfile(devnet: Devnet, p: { usage: string; horizonDays: number }): Promise<RailComparison> {
  const wallet = await testWallet(devnet, { eth: parseEther('1') })
  const store = autopilotStore({ stateDir: wallet.stateDir, chainId: wallet.chainId, address: wallet.address })
  return compareRailsNow({
    wallet,
    store,
    minStakedDiem: parseEther('0.1'),
    minClaimVvv: parseEther('1'),
    usageDiemPerDay: parseEther(p.usage),
    horizonDays: p.horizonDays,
    rails: ['diem', 'x402'],
  })
}

/** README markers around the measured comparison. */
export const RAILS_README_START = '<!-- rails-comparison:start -->'
export const RAILS_README_END = '<!-- rails-comparison:end -->'

/**
 * The README's table of the profiles, from the comparisons (the same figures `gondola autopilot plan --rails`
 * prints: dollars to the cent, truncated).
 *
 * @example
 * ```ts
 * railsReadmeBlock([{ usage: '2', horizonDays: 30, cmp }])
 * ```
 */
export function railsReadmeBlock(results: { usage: string; horizonDays: number; cmp: RailComparison }[]): string {
  const $ = (v: bigint | undefined) => dollars(v, { grouped: true })
  const eth = (v: bigint) => formatShort(v, 4)
  const first = results[0]!.cmp
  const gasGwei = Number(first.diem!.exitGasEth / EXIT_GAS_UNITS) / 1e9
  const rows = results.map(({ usage, horizonDays, cmp }) => {
    const b = cmp.best!
    const cheaper = b.diemShareBps === 10000 ? 'staking' : b.diemShareBps === 0 ? 'x402' : `${b.diemShareBps / 100} % staked`
    return `| ${usage} | ${horizonDays} d | ${$(cmp.x402!.costUsdc)} | ${$(cmp.costs.diem)} | ${eth(cmp.diem!.capitalEth)} ETH, back after ${cmp.diem!.capitalBackDays} d | **${cheaper}** |`
  })
  return [
    RAILS_README_START,
    `ETH at ${$(first.usdcPerEth)} (the WETH/USDC pool), gas at ${gasGwei.toFixed(2)} gwei:`,
    '',
    '| usage (Diem/day) | horizon | x402 credits | staking (diem) | staking capital | cheaper |',
    '|---|---|---|---|---|---|',
    ...rows,
    RAILS_README_END,
  ].join('\n')
}
