import { defineCommand } from 'citty'
import { formatUnits } from 'viem'
import { ledgerPathIn, readLedger } from '../../agent/ledger.js'
import { readEnv } from '../../config/env.js'
import { openX402 } from '../../runtime/openX402.js'
import { swapForUsdcFunder } from '../../runtime/swapForUsdc.js'
import { collectX402Status } from '../../status/collectX402Status.js'
import { parseAmount } from '../../wallet/amounts.js'
import { topUpX402 } from '../../wallet/x402/topUpX402.js'
import { USDC_DECIMALS } from '../../wallet/x402/x402Policy.js'
import { assertInstalled, X402_FEATURE, X402_PACKAGES } from '../../util/optionalDependency.js'
import { CLIError } from '../CLIError.js'
import { formatNumber, x402RunwayText } from '../format.js'
import { jsonArg, printJson, withSpinner } from '../output.js'
import { moneyArgs } from '../walletCommand.js'

const usd = (n: number | null | undefined) => (n === null || n === undefined ? '?' : `$${formatNumber(n)}`)
const out = (line: string) => process.stdout.write(`${line}\n`)

const balance = defineCommand({
  meta: { name: 'balance', description: "The wallet's x402 USDC credits at Venice (SIWX, no API key), its USDC, unfinished payments" },
  args: { ...jsonArg },
  async run({ args }) {
    const env = readEnv()
    const { wallet, venice } = await openX402(env)
    const s = await collectX402Status({ wallet, venice, readSpends: () => readLedger(ledgerPathIn(env.GONDOLA_STATE_DIR)) })
    if (args.json) return printJson(s)
    out(
      `x402 credits for ${s.wallet}: ${usd(s.credits?.balanceUsd)} (${s.canConsume ? 'can consume' : 'too low to consume'}) · USDC in wallet ${usd(s.usdcHeld)}`,
    )
    out(`  runway ${x402RunwayText(s.runway.wallet)}${s.runway.agents.map((a) => ` · ${a.agent} ${x402RunwayText(a)}`).join('')}`)
    out(`  minimum top-up ${usd(s.minimumTopUpUsd)}, suggested ${usd(s.suggestedTopUpUsd)}`)
    for (const p of s.unfinishedPayments)
      out(`  unfinished payment ${p.key}: ${formatUnits(BigInt(p.amount), USDC_DECIMALS)} USDC to ${p.payTo} (the next top-up settles it first)`)
  },
})

const topup = defineCommand({
  meta: {
    name: 'topup',
    description: 'Buy x402 credits: one USDC payment (EIP-3009) under the spend policy, swapping ETH → USDC first if needed; crash-safe',
  },
  args: { usd: { type: 'string', description: 'USD of credits to buy, e.g. 5 (Venice minimum $5)' }, ...moneyArgs },
  async run({ args }) {
    if (args.usd === undefined || args.usd === '')
      throw new CLIError('--usd is required.', { metaMessages: ['e.g. gondola x402 topup --usd 5'], code: 'CLI_MISSING_FLAG' })
    const amount = parseAmount(args.usd, { decimals: USDC_DECIMALS, symbol: 'USD', field: '--usd' })
    assertInstalled(X402_PACKAGES, X402_FEATURE)
    const env = readEnv()
    const dryRun = args['dry-run']
    const r = await withSpinner(
      dryRun ? 'Topping up x402 credits (dry run)' : 'Topping up x402 credits',
      async () => {
        const { wallet, policy, api } = await openX402(env, { dryRun })
        return topUpX402(wallet, { api, policy, amount, reason: 'cli', ensureUsdc: swapForUsdcFunder() })
      },
      { json: args.json },
    )
    if (args.json)
      return printJson({
        dryRun,
        status: r.status,
        // USDC has 6 decimals: amounts as decimal strings of USDC (the generic `presentable` assumes 18).
        usdc: formatUnits(r.amount, USDC_DECIMALS),
        payTo: r.payTo,
        asset: r.asset,
        network: r.network,
        nonce: r.nonce ?? null,
        transaction: r.transaction ?? null,
        creditedUsd: r.creditedUsd ?? null,
        newBalanceUsd: r.newBalanceUsd ?? null,
        finishedEarlier: Boolean(r.finishedEarlier),
        resumed: r.resumed.map((p) => ({ key: p.key, status: p.status, usdc: formatUnits(BigInt(p.amount), USDC_DECIMALS) })),
      })
    const what = `${formatUnits(r.amount, USDC_DECIMALS)} USDC to ${r.payTo} (${r.network})`
    for (const p of r.resumed) out(`Settled an earlier payment first: ${p.key} → ${p.status}`)
    if (r.status === 'planned') out(`[dry run] Would pay ${what}; the policy allows it. Nothing signed.`)
    else out(`Paid ${what}: credited ${usd(r.creditedUsd)}, credits now ${usd(r.newBalanceUsd)}${r.transaction ? ` (tx ${r.transaction})` : ''}`)
  },
})

const transactions = defineCommand({
  meta: { name: 'transactions', description: "The wallet's x402 ledger at Venice: top-ups and charges, newest first" },
  args: {
    limit: { type: 'string', description: 'How many (1..100)', default: '20' },
    offset: { type: 'string', description: 'How many to skip', default: '0' },
    ...jsonArg,
  },
  async run({ args }) {
    const limit = intFlag(args.limit, '--limit', 1, 100)
    const offset = intFlag(args.offset, '--offset', 0, 1_000_000)
    const { wallet, venice } = await openX402(readEnv())
    const page = await venice.getX402Transactions(wallet.address, { limit, offset })
    if (args.json) return printJson(page)
    out(`x402 ledger of ${page.walletAddress}: credits ${usd(page.currentBalance)}`)
    for (const t of page.transactions)
      out(
        `  ${t.createdAt}  ${t.type.padEnd(7)} ${(t.amount >= 0 ? '+' : '') + formatNumber(t.amount)} → ${usd(t.balanceAfter)}${t.modelId ? `  ${t.modelId}` : ''}`,
      )
    if (page.pagination.hasMore) out(`  … more with --offset ${offset + page.transactions.length}`)
  },
})

function intFlag(value: string, flag: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new CLIError(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)}).`, { code: 'CLI_BAD_FLAG' })
  return n
}

/** `gondola x402 balance|topup|transactions`: Venice's wallet-paid rail (USDC credits, Sign-In-With-X, no API key). */
export default defineCommand({
  meta: { name: 'x402', description: 'x402: USDC credits at Venice paid from the wallet, Sign-In-With-X instead of an API key' },
  subCommands: { balance, topup, transactions },
})
