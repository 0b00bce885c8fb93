/**
 * A simulated month of the Diem autopilot on the devnet: the emulator's clock (and anvil's) move a day at a time,
 * the autopilot runs on its cron just after each 00:00 UTC reset (the first, missed slot is caught up once), an
 * agent spends part of each day's allowance through the real API, and the target is raised mid-month.
 *
 *   npx tsx scripts/autopilot-month.ts            # writes docs/autopilot-report.svg (+ .png) and prints the daily table
 *
 * `test/autopilot.month.test.ts` runs the same simulation and checks it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  autopilotStore,
  dailyReport,
  dailyTable,
  planTable,
  readHistory,
  renderAutopilotChart,
  runAutopilotPass,
  veniceAllowanceSource,
  type AutopilotPassResult,
} from '../src/autopilot/index.js'
import { devStake } from '../devnet/src/devnet/devStake.js'
import type { Devnet } from '../devnet/src/devnet/startDevnet.js'
import type { Emulator } from '../devnet/src/emulator/startEmulator.js'
import { runSchedule } from '../src/host/scheduler.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { createWallet } from '../src/wallet/createWallet.js'

const DAY = 86_400_000
/** The priciest text model of the snapshot ($37.5 per 1M input tokens), so a day's spend is a few calls. */
const SPEND_MODEL = 'openai-gpt-54-pro'

export type MonthOptions = {
  days?: number /** Diem/day target on day `d` (1-based). */
  target?: (day: number) => number /** Share of the target spent on day `d`. */
  usage?: (day: number) => number
}
export type MonthDay = { day: number; catchUp: boolean; pass: AutopilotPassResult; allocationAfterPass: number; spent: number }

/**
 * @example
 * ```ts
 * const { days, rows, svg } = await simulateMonth(world.devnet, world.emulator)
 * ```
 */
export async function simulateMonth(devnet: Devnet, emulator: Emulator, o: MonthOptions = {}) {
  const days = o.days ?? 30
  const target = o.target ?? ((d) => (d < 15 ? 1 : 2))
  const usage = o.usage ?? ((d) => 0.55 + 0.35 * Math.abs(Math.sin(d * 1.7)))
  const start = Date.UTC(2026, 10, 1, 9, 0) // 09:00 UTC: today's 00:05 slot was missed → caught up at once
  emulator.setClock(start)
  await devStake(devnet, 9, parseEther('1000000')) // the rest of the network
  const account = privateKeyToAccount(generatePrivateKey())
  await devnet.fund(account.address, { eth: parseEther('1') })
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-month-'))
  const wallet = await createWallet({
    account,
    publicClient: devnet.publicClient,
    addresses: devnet.addresses,
    stateDir,
    now: () => new Date(emulator.now()),
    pollingIntervalMs: 20,
  })
  const store = autopilotStore({ stateDir, chainId: wallet.chainId, address: wallet.address })
  const venice = veniceAllowanceSource(
    createVeniceClient({ baseURL: emulator.baseURL, apiKey: emulator.createKey(wallet.address, { apiKeyType: 'ADMIN' }).apiKey, maxRetries: 0 }),
  )
  const agent = new OpenAI({ apiKey: emulator.createKey(wallet.address, { apiKeyType: 'INFERENCE' }).apiKey, baseURL: emulator.baseURL, maxRetries: 0 })
  // Time passes on the emulator and on anvil together.
  const clock = {
    now: () => emulator.now(),
    sleep: async (ms: number) => {
      emulator.advance(ms)
      await devnet.testClient.increaseTime({ seconds: Math.ceil(ms / 1000) })
      await devnet.testClient.mine({ blocks: 1 })
    },
  }
  const out: MonthDay[] = []
  await runSchedule(
    [
      {
        name: 'diem-autopilot',
        cron: '5 0 * * *',
        catchUp: {
          lastRunAt: async () => {
            const last = (await readHistory(store.historyPath)).at(-1)
            return last ? Date.parse(last.at) : undefined
          },
        },
        run: async (tick) => {
          const day = Math.floor((tick.dueAt - Date.UTC(2026, 10, 1)) / DAY) + 1
          const pass = await runAutopilotPass({
            wallet,
            store,
            venice,
            target: parseEther(String(target(day))),
            minClaimVvv: parseEther('1'),
            minStakedDiem: parseEther('0.1'),
            mode: 'run',
            now: () => emulator.now(),
          })
          const allocationAfterPass = (await venice.getBillingBalance()).diemEpochAllocation
          // The day's work: one long prompt priced to spend the day's share of the target.
          const spendDiem = target(day) * usage(day)
          const chars = Math.floor((spendDiem / 37.5e-6) * 4)
          const r = await agent.chat.completions.create({ model: SPEND_MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x'.repeat(chars) }] })
          out.push({ day, catchUp: tick.catchUp, pass, allocationAfterPass, spent: (r as unknown as { cost?: { diem: number } }).cost?.diem ?? 0 })
        },
      },
    ],
    { clock, until: Date.UTC(2026, 10, 1) + days * DAY - 1 },
  )
  // One last pass after the month, so the last day's spend is known (the ledger of the closed epoch).
  await clock.sleep(Date.UTC(2026, 10, 1) + days * DAY + 5 * 60_000 - emulator.now())
  await runAutopilotPass({
    wallet,
    store,
    venice,
    target: parseEther(String(target(days))),
    minClaimVvv: parseEther('1'),
    minStakedDiem: parseEther('0.1'),
    mode: 'run',
    now: () => emulator.now(),
  })
  const rows = dailyReport(await readHistory(store.historyPath)).slice(0, days)
  return {
    days: out,
    rows,
    wallet,
    store,
    svg: renderAutopilotChart(rows, { title: `Diem autopilot on the devnet: a simulated month (target ${target(1)} → ${target(days)} Diem/day)` }),
  }
}

async function main() {
  const { startLocalWorld } = await import('../devnet/src/devnet/startLocalWorld.js')
  const world = await startLocalWorld({ emulator: { chainCacheMs: 0, minStakedDiemForDiem: 0.1 } })
  try {
    const month = await simulateMonth(world.devnet, world.emulator)
    await writeFile('docs/autopilot-report.svg', month.svg)
    const sharp = (await import('sharp')).default
    await sharp(Buffer.from(month.svg)).png().toFile('docs/autopilot-report.png')
    process.stdout.write(
      `${dailyTable(month.rows)}\nfirst pass (caught up at ${new Date(month.days[0]!.pass.measurement.now).toISOString()}):\n${planTable(month.days[0]!.pass.plan)}\nraised target (day 15):\n${planTable(month.days[14]!.pass.plan)}\nwrote docs/autopilot-report.svg and docs/autopilot-report.png\n`,
    )
  } finally {
    await world.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
