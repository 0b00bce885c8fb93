/**
 * SIGKILL sweep over a top-up (issue 10 item 6): N real child processes each run a top-up with DIEM (swap,
 * approve, stake, mint, stake DIEM) and are SIGKILLed after a random delay; the next "process" (this one, on the
 * same address) asks for a top-up inside the funding window. Reports how many runs were interrupted mid-way,
 * how many completed on resume, and any double spend (more than one swap, or more than 5 transactions).
 *
 * @example `npx tsx scripts/sweep/topUpKillSweep.ts 20 2000` (trials, max kill delay in ms after the start barrier)
 */
import { mkdtempSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { startDevnet } from '../../devnet/src/devnet/startDevnet.js'
import { requestTopUp } from '../../src/host/walletTopUp.js'
import { childWallet } from '../../test/helpers/childWallet.js'
import { testWallet } from '../../test/helpers/testWallet.js'

process.env.GONDOLA_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'gondola-sweep-data-'))
const N = Number(process.argv[2] ?? 12)
const MAX_DELAY_MS = Number(process.argv[3] ?? 2_000)
const HOUR = 3_600_000
const ETH = parseEther('0.01')
const devnet = await startDevnet()
type Journal = { runs: Array<{ intent: string; status: string; steps: Array<{ name: string; status: string }> }> }

async function trial(maxDelayMs: number) {
  const w = await testWallet(devnet, { eth: parseEther('1') })
  const c = childWallet(
    devnet,
    { key: w.privateKey, stateDir: w.stateDir },
    `return await requestTopUp({ wallet, mintDiem: true, cooldownMs: ${HOUR} }, { eth: ${ETH}n, reason: 'runway' })`,
  )
  await c.ready
  c.go()
  const delay = Math.random() * maxDelayMs
  const timer = setTimeout(() => c.child.kill('SIGKILL'), delay)
  const { signal } = await c.result
  clearTimeout(timer)
  const before = JSON.parse(await readFile(w.journal.path, 'utf8').catch(() => '{"runs":[]}')) as Journal
  const state =
    signal !== 'SIGKILL'
      ? 'completed before the kill'
      : before.runs.length === 0
        ? 'killed before signing'
        : `killed at ${before.runs[0]!.steps.map((s) => `${s.name}:${s.status}`).join(' ')}`
  const next = await testWallet(devnet, { privateKey: w.privateKey, stateDir: mkdtempSync(join(tmpdir(), 'gondola-sweep-')) })
  const r = await requestTopUp({ wallet: next, policy: { mintDiem: true, cooldownMs: HOUR } }, { eth: ETH, reason: 'runway' })
  const after = JSON.parse(await readFile(w.journal.path, 'utf8')) as Journal
  const topUps = after.runs.filter((x) => x.intent.startsWith('topUp:'))
  const nonce = await devnet.publicClient.getTransactionCount({ address: w.address })
  const complete = topUps.length === 1 && topUps[0]!.status === 'done' && topUps[0]!.steps.every((s) => s.status === 'confirmed')
  return {
    delay: Math.round(delay),
    state,
    resumed: r.ok ? r.summary.slice(0, 40) : `refused: ${r.refusal.slice(0, 40)}`,
    complete,
    doubleSpend: topUps.length !== 1 || nonce !== 5,
    nonce,
  }
}

try {
  const rows = []
  for (let i = 0; i < N; i++) rows.push(await trial(MAX_DELAY_MS))
  for (const r of rows) console.log(JSON.stringify(r))
  const mid = rows.filter((r) => r.state.startsWith('killed at'))
  console.log(
    JSON.stringify({
      trials: rows.length,
      killedMidTopUp: mid.length,
      killedBeforeSigning: rows.filter((r) => r.state === 'killed before signing').length,
      completedBeforeKill: rows.filter((r) => r.state === 'completed before the kill').length,
      completeAfterResume: rows.filter((r) => r.complete).length,
      doubleSpends: rows.filter((r) => r.doubleSpend).length,
    }),
  )
} finally {
  await devnet.stop()
}
