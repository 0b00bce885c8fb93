import { execFile, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { readLedger } from '../src/agent/ledger.js'
import { createVeniceClient, listAllBillingUsage } from '../src/venice/createVeniceClient.js'
import { cliState } from './helpers/cliState.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, recordRequests: true })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Issue #28 item 5: a call in flight when the bot is SIGKILLed is billed by Venice but was never in the ledger.
describe('social bot: a call killed in flight is settled from Venice billing on restart', () => {
  it('counts the killed call exactly once, and the day budget holds with it', { timeout: 300_000 }, async () => {
    const { stateDir, env } = await cliState(devnet(), emulator().baseURL)
    const gondola = async (...args: string[]) => {
      const { stdout } = await exec(process.execPath, ['bin/gondola.js', ...args, '--json'], { env })
      return stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, any>)
    }
    const { address } = (await gondola('wallet', 'new')).at(-1)!
    await gondola('faucet', '--eth', '0.5')
    await gondola('provision', '--agents', 'social-bot', '--stake-vvv', '5', '--diem-per-agent', '0.5')
    // What Venice billed the account (its own ledger, read over HTTP with an ADMIN key of the same account).
    const admin = createVeniceClient({ baseURL: emulator().baseURL, apiKey: emulator().createKey(address as Address, { apiKeyType: 'ADMIN' }).apiKey })
    const billed = async () => (await listAllBillingUsage(admin)).reduce((s, r) => s - r.amount, 0)
    const ledgerPath = join(stateDir, 'ledger.jsonl')
    const recorded = async () => (await readLedger(ledgerPath)).filter((e) => e.agent === 'social-bot')
    const inflightPath = join(stateDir, 'social', 'social-bot.inflight.json')

    // One post, recorded as usual: its caption and image are in the ledger and agree with Venice.
    const first = (await gondola('run', 'social-bot')).at(-1)!
    expect(first).toMatchObject({ status: 'posted' })
    const drafts = JSON.parse(await readFile(join(stateDir, 'social', 'social-bot.drafts.json'), 'utf8')).drafts as {
      captionCostDiem: number
      costDiem: number
    }[]
    const caption = drafts[0]!.captionCostDiem
    const image = drafts[0]!.costDiem - caption
    expect(first.spentTodayDiem).toBeCloseTo(await billed(), 9)

    // The next caption call is held by Venice for 4 s; the bot is SIGKILLed while it waits (its marker on disk).
    emulator().setFaults({ latencyMs: 4_000 })
    const chats = () =>
      emulator()
        .requests()
        .filter((r) => r.url.endsWith('/chat/completions')).length
    const chatsBefore = chats()
    const child = spawn(process.execPath, ['bin/gondola.js', 'run', 'social-bot', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    const exited = new Promise((r) => child.on('exit', r))
    for (;;) {
      const text = await readFile(inflightPath, 'utf8').catch(() => '')
      if (text.includes('"kind":"chat"') && chats() > chatsBefore) break
      expect(child.exitCode, output).toBe(null)
      await sleep(50)
    }
    child.kill('SIGKILL')
    await exited
    // Venice finishes the call and bills it; the ledger never heard of it.
    const before = first.spentTodayDiem as number
    let total = before
    for (let i = 0; total <= before + 1e-12; i++) {
      expect(i, 'Venice never billed the killed call').toBeLessThan(300)
      await sleep(200)
      total = await billed()
    }
    emulator().setFaults({})
    const killed = total - before
    expect(killed).toBeGreaterThan(0)
    expect((await recorded()).reduce((s, e) => s + e.costDiem + e.costUsd, 0)).toBeCloseTo(before, 9)

    // Restart with a budget that holds the next post only if the killed call is not counted.
    const estimate = image + caption
    const budget = before + estimate + killed / 2
    const budgetArgs = ['run', 'social-bot', '--budget-diem-per-day', String(budget)]
    const restarted = await gondola(...budgetArgs)
    expect(restarted.filter((l) => l.kind === 'reconciled')).toEqual([expect.objectContaining({ agent: 'social-bot', costDiem: expect.closeTo(killed, 9) })])
    const tick = restarted.find((l) => l.kind === 'social')!
    expect(tick).toMatchObject({ status: 'budget' })
    expect(tick.spentTodayDiem).toBeCloseTo(total, 9)

    // Once: a second start settles nothing more and counts the same day, and Venice billed nothing new.
    const again = await gondola(...budgetArgs)
    expect(again.filter((l) => l.kind === 'reconciled')).toEqual([])
    expect(again.find((l) => l.kind === 'social')).toMatchObject({ status: 'budget', spentTodayDiem: expect.closeTo(total, 9) })
    expect(await billed()).toBeCloseTo(total, 9)
    const lines = await recorded()
    expect(lines.filter((e) => e.requestId?.startsWith('inflight:'))).toHaveLength(1)
    expect(lines.reduce((s, e) => s + e.costDiem + e.costUsd, 0)).toBeCloseTo(total, 9)
    expect(JSON.parse(await readFile(inflightPath, 'utf8')).markers).toEqual([])
  })
})
