/**
 * The two-rail comparison as rows (`--json`) and as a text table, from the figures `compareRails` computed:
 * this file formats, it derives nothing.
 */
import { formatEther, formatUnits } from 'viem'
import { formatShort } from '../wallet/amounts.js'
import type { DiemRailCost, RailComparison, RailMix, X402RailCost } from './rails.js'

const usd = (v: bigint | undefined) => (v === undefined ? null : formatUnits(v, 6))
const eth = (v: bigint | undefined) => (v === undefined ? null : formatEther(v))
/** Dollars to the cent (truncated, as every short figure here), `-` when unknown. */
/**
 * Dollars (USDC base units) to the cent, truncated as every short figure here; `-` when unknown. `grouped` adds
 * thousands separators and a typographic minus (the README's table).
 *
 * @example
 * ```ts
 * dollars(-9_611_234n) // '-$9.61'
 * dollars(1_505_630_000n, { grouped: true }) // '$1,505.63'
 * ```
 */
export function dollars(v: bigint | undefined, o: { grouped?: boolean } = {}): string {
  if (v === undefined) return '-'
  const cents = (v < 0n ? -v : v) / 10_000n
  const whole = o.grouped ? (cents / 100n).toLocaleString('en-US') : (cents / 100n).toString()
  return `${v < 0n ? (o.grouped ? '−' : '-') : ''}$${whole}.${(cents % 100n).toString().padStart(2, '0')}`
}
const $ = (v: bigint | undefined) => dollars(v)
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`
const share = (bps: number) => `${bps / 100} % staked, ${100 - bps / 100} % per call`

/** The Diem rail as JSON (decimal strings). */
function diemJson(d: DiemRailCost | undefined, toUsd: (eth: bigint) => bigint | undefined) {
  if (!d) return null
  return {
    diemPerDay: formatEther(d.diemPerDay),
    reachable: d.plan.reached,
    costUsd: d.plan.reached ? usd(toUsd(d.costEth)) : null,
    costEth: formatEther(d.costEth),
    capitalEth: formatEther(d.capitalEth),
    entryGasEth: formatEther(d.entryGasEth),
    exitGasEth: formatEther(d.exitGasEth),
    svvv: formatEther(d.svvv),
    svvvLocked: formatEther(d.svvvLocked),
    yieldVvv: formatEther(d.yieldVvv),
    exitEth: formatEther(d.exitEth),
    capitalBackDays: d.capitalBackDays,
    steps: d.plan.steps.map((s) => s.action),
    message: d.plan.message,
  }
}

/** The x402 rail as JSON (decimal strings). */
function x402Json(x: X402RailCost | undefined) {
  if (!x) return null
  return {
    diemPerDay: formatEther(x.diemPerDay),
    costUsd: usd(x.costUsdc),
    computeUsd: usd(x.computeUsdc),
    creditsUsd: usd(x.creditsUsdc),
    unusedUsd: usd(x.unusedUsdc),
    swappedUsd: usd(x.swappedUsdc),
    swapLossUsd: usd(x.swapLossUsdc),
    ethIn: eth(x.ethIn),
    gasEth: formatEther(x.gasEth),
  }
}

/**
 * The comparison as one JSON document.
 *
 * @example
 * ```ts
 * railsJson(cmp).best // { diemSharePercent: 100, costUsd: '-9.085086' }
 * ```
 */
export function railsJson(c: RailComparison) {
  const toUsd = (v: bigint) => (c.usdcPerEth === undefined ? undefined : (v * c.usdcPerEth) / 10n ** 18n)
  const mix = (m: RailMix) => ({ diemSharePercent: m.diemShareBps / 100, costUsd: usd(m.costUsdc) })
  return {
    usageDiemPerDay: formatEther(c.usageDiemPerDay),
    horizonDays: c.horizonDays,
    rails: c.rails,
    usdPerEth: usd(c.usdcPerEth),
    diem: diemJson(c.diem, toUsd),
    x402: x402Json(c.x402),
    mixes: c.mixes.map(mix),
    best: c.best ? mix(c.best) : null,
    walletEth: formatEther(c.walletEth),
  }
}

/**
 * The comparison as text: one line per rail with what its cost is made of, the mixes, and the advice.
 *
 * @example
 * ```ts
 * process.stdout.write(railsTable(cmp))
 * ```
 */
export function railsTable(c: RailComparison): string {
  const toUsd = (v: bigint) => (c.usdcPerEth === undefined ? undefined : (v * c.usdcPerEth) / 10n ** 18n)
  const usage = formatShort(c.usageDiemPerDay, 4)
  const lines = [
    `Usage ${usage} Diem/day over ${days(c.horizonDays)} (1 Diem = $1 of compute); ETH at ${c.usdcPerEth === undefined ? 'no USDC pool: dollars unknown' : $(c.usdcPerEth)}.`,
  ]
  const d = c.diem
  if (d) {
    const cost = d.plan.reached ? $(toUsd(d.costEth)) : 'not reachable'
    lines.push(
      `  diem  ${cost.padStart(12)}  stake ${formatShort(d.capitalEth, 4)} ETH now (gas ${formatShort(d.entryGasEth, 6)} ETH), ` +
        `earn ${formatShort(d.yieldVvv, 2)} VVV, sell back for ${formatShort(d.exitEth, 4)} ETH after ${days(d.capitalBackDays)} (gas ${formatShort(d.exitGasEth, 6)} ETH)`,
    )
    if (!d.plan.reached) lines.push(`        ${d.plan.message}`)
  }
  const x = c.x402
  if (x)
    lines.push(
      `  x402  ${$(x.costUsdc).padStart(12)}  credits ${$(x.creditsUsdc)} (compute ${$(x.computeUsdc)}, unused ${$(x.unusedUsdc)}), ` +
        `swap ${x.ethIn === undefined ? '-' : formatShort(x.ethIn, 6)} ETH → ${$(x.swappedUsdc)} USDC (fee and impact ${$(x.swapLossUsdc)}, gas ${formatShort(x.gasEth, 6)} ETH)`,
    )
  if (c.mixes.length > 1) {
    lines.push('  mix:')
    for (const m of c.mixes) lines.push(`    ${share(m.diemShareBps).padEnd(34)} ${$(m.costUsdc).padStart(12)}`)
  }
  const b = c.best
  lines.push(
    b === undefined
      ? 'No rail can be priced here (no ETH → USDC pool, or the stake cannot be reached).'
      : `Cheaper: ${b.diemShareBps === 10000 ? 'staking (diem)' : b.diemShareBps === 0 ? 'x402 credits' : share(b.diemShareBps)}, ${$(b.costUsdc)} over ${days(c.horizonDays)}.`,
  )
  return `${lines.join('\n')}\n`
}
