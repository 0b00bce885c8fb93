import { execFile } from 'node:child_process'
import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther, type Address } from 'viem'
import { epochRunway } from '../src/autopilot/runway.js'
import { describe, expect, it } from 'vitest'
import { readLedger } from '../src/agent/ledger.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { createVeniceClient, listAllBillingUsage } from '../src/venice/createVeniceClient.js'
import { useDevnet } from './helpers/useDevnet.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const password = CLI_TEST_PASSWORD

describe('gondola run | status | ledger (subprocess, devnet + emulator)', () => {
  it('runs agents from agents/, reports status and a ledger that matches the emulator’s billing, and never prints a secret', async () => {
    const d = devnet()
    const { stateDir, env } = await cliState(d, emulator().baseURL, {
      GONDOLA_AUTOPILOT_TARGET_DIEM_PER_DAY: '0.01',
      GONDOLA_AUTOPILOT_MIN_STAKED_DIEM: '0.01',
      GONDOLA_AUTOPILOT_MIN_CLAIM_VVV: '1000000',
    })
    const terminal: string[] = []
    const text = async (...args: string[]) => {
      const { stdout, stderr } = await exec(process.execPath, ['bin/gondola.js', ...args], { env })
      terminal.push(stdout, stderr)
      return stdout
    }
    const lines = async (...args: string[]) =>
      (await text(...args))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as any)
    const json = async (...args: string[]) => (await lines(...args)).at(-1)

    const { address } = (await json('wallet', 'new', '--json')) as { address: Address }
    await d.fund(address, { eth: parseEther('1') })
    await json('provision', '--agents', 'treasurer,social-bot', '--stake-vvv', '5', '--diem-per-agent', '0.5', '--json')

    // Model agents: one JSON line with the tool calls the model made and what they returned.
    const treasurer = await json('run', 'treasurer', '--json')
    expect(treasurer).toMatchObject({ agent: 'treasurer', kind: 'model', status: 'completed', n: 1 })
    expect(treasurer.runs[0].toolCalls.map((c: { name: string }) => c.name)).toEqual(['get_runway', 'get_wallet_balances'])
    expect(JSON.parse(treasurer.runs[0].toolCalls[0].result)).toMatchObject({ level: 'ok' })
    expect(treasurer.costDiem + treasurer.costUsd).toBeGreaterThan(0)

    const social = await json('run', 'social-bot', '--prompt', 'a quiet canal at night', '--json')
    // The model only writes the caption; code makes the image and publishes the caption as written.
    expect(social.runs.map((r: { toolCalls: { name: string }[] }) => r.toolCalls.map((c) => c.name))).toEqual([[]])
    const [post] = (await readFile(join(stateDir, 'outbox', 'outbox.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(post).toMatchObject({ agent: 'social-bot', text: expect.stringContaining('a quiet canal at night') })
    expect((await stat(post.image)).size).toBeGreaterThan(0)

    // Text mode: each tool call, its result, the answer and a cost line.
    const shown = await text('run', 'treasurer', '--max-steps', '3')
    expect(shown).toMatch(/^→ get_runway\(\{\}\)\n← \{"balanceDiem":/)
    expect(shown).toMatch(/\nanswer: Based on the tool results: get_runway returned/)
    expect(shown).toMatch(/\ncost: \d+\.\d{6} Diem \+ \$\d+\.\d{6} · \d+ in \/ \d+ out tokens · 2 model call\(s\)\n$/)

    // On a schedule: bounded by --runs, one JSON line per run.
    const scheduled = await lines('run', 'treasurer', '--every', '1', '--runs', '2', '--json')
    expect(scheduled.map((r) => [r.n, r.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ])

    // The deterministic autopilot: the pool share already exceeds 0.01 Diem/day; the staked-DIEM rule (0.01 here)
    // is met by minting from unlocked sVVV and staking it; then it has nothing to do.
    const pilot = await json('run', 'diem-autopilot', '--json')
    expect(pilot).toMatchObject({ agent: 'diem-autopilot', kind: 'script', reached: true, plan: [{ action: 'mintDiem', reason: 'rule' }] })
    expect(pilot.hashes.length).toBe(2)
    const again = await json('run', 'diem-autopilot', '--json')
    expect(again.hashes).toEqual([])
    expect(again.summary).toMatch(/^nothing to do/)

    // The ledger: one line per model call; totals equal the emulator's billing for this wallet.
    const ledger = await json('ledger', '--json')
    const entries = await readLedger(join(stateDir, 'ledger.jsonl'))
    const steps = [treasurer, social, ...scheduled].flatMap((r) => r.runs).reduce((s: number, r: { steps: number }) => s + r.steps, 0) + 2
    // + the post's image: generated in code and written to the ledger with its /models price.
    expect(ledger.summary.calls).toBe(steps + 1)
    expect(entries).toHaveLength(steps + 1)
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json'), password })
    const adminKey = store.keys('ADMIN').at(-1)!
    const billed = await listAllBillingUsage(createVeniceClient({ baseURL: emulator().baseURL, apiKey: store.reveal(adminKey.id) }))
    expect(billed).toHaveLength(steps + 1) // + the image
    const chat = billed.filter((b) => b.inferenceDetails?.promptTokens !== undefined)
    expect(chat).toHaveLength(steps)
    expect(ledger.summary.costDiem + ledger.summary.costUsd).toBeCloseTo(
      billed.reduce((s, b) => s - b.amount, 0),
      9,
    )
    expect(ledger.summary.promptTokens).toBe(chat.reduce((s, b) => s + (b.inferenceDetails?.promptTokens ?? 0), 0))
    expect(Object.keys(ledger.summary.byAgent).sort()).toEqual(['social-bot', 'treasurer'])
    expect((await json('ledger', '--since', '2999-01-01T00:00:00Z', '--json')).summary.calls).toBe(0)
    expect(await text('ledger', '--since', '1h')).toMatch(/\ntotal: \d+ calls, .*\nby agent:\n {2}treasurer +8 calls/)

    // Status: balances, keys with limits checked against Venice, rate limits, runway per agent key.
    const status = await json('status', '--json')
    expect(status.wallet).toBe(address)
    expect(Number(status.balances.diem.staked)).toBeCloseTo(0.01, 5) // the autopilot stakes all it minted (within the solver's 1e-5)
    const inference = status.keys.filter((k: { apiKeyType: string }) => k.apiKeyType === 'INFERENCE')
    expect(inference.map((k: any) => [k.agent, k.consumptionLimit.diem, k.onServer]).sort()).toEqual([
      ['social-bot', 0.5, true],
      ['treasurer', 0.5, true],
    ])
    expect(status.rateLimits.balances.DIEM).toBeGreaterThan(0)
    const runway = status.runways.find((r: { agent: string }) => r.agent === 'treasurer')
    const used = Number(inference.find((k: any) => k.agent === 'treasurer').currentPeriodUsage.diem)
    expect(used).toBeGreaterThan(0)
    expect(runway.spendable).toBeCloseTo(0.5 - used, 9)
    expect(runway.burnPerHour).toBeGreaterThan(0)
    expect(runway.state).toBe('draining')
    expect(runway.runwayHours).toBeCloseTo(runway.spendable / runway.burnPerHour, 0)
    // Epoch-aware: the key's 0.5 Diem comes back at the reset, so the runway is counted across it.
    expect(status.epoch).toMatchObject({ nextReset: status.rateLimits.nextEpochBegins, allowanceAfterReset: expect.any(Number) })
    const expected = epochRunway({
      balance: runway.spendable,
      burnPerHour: runway.burnPerHour,
      msToReset: status.epoch.resetsInHours * 3_600_000,
      allowanceAfterReset: Math.min(0.5, status.epoch.allowanceAfterReset),
    })
    expect(runway.runwayHoursAcrossReset).toBe(expected.hours)
    const shownStatus = await text('status')
    expect(shownStatus).toMatch(/\nEpoch: resets in \d+ (h \d+ )?min · allowance after reset [\d.]+ Diem \(/)
    expect(shownStatus).toMatch(/\nRunway:\n {2}treasurer +[\d.]+ h(, sustainable \(each reset covers the burn\)|, [\d.]+ h across the reset)? · /)

    // No key, password or private key reached the terminal.
    const secrets = store.keys().map((k) => store.reveal(k.id))
    const all = terminal.join('\n')
    for (const secret of [...secrets, password]) expect(all).not.toContain(secret)
  }, 900_000) // ~10 CLI processes: minutes when the machine is loaded (no duration is asserted)

  it('an unknown agent or a bad flag exits non-zero with one line saying what to fix', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-run-'))
    const env = { ...process.env, GONDOLA_STATE_DIR: stateDir }
    const unknown = await exec(process.execPath, ['bin/gondola.js', 'run', 'treasure'], { env }).catch((e) => e)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toMatch(
      /^gondola: There is no agent named "treasure"\. Looked in: .*the shipped agents \(treasurer, social-bot, diem-autopilot, diem-autopilot-agent, satoshi\)/,
    )
    const since = await exec(process.execPath, ['bin/gondola.js', 'ledger', '--since', 'yesterday'], { env }).catch((e) => e)
    expect(since.code).toBe(2) // usage
    expect(since.stderr.trim()).toBe(
      'gondola: --since must be an ISO time (2026-01-31T12:00:00Z) or a positive duration (30m, 1h, 7d), got "yesterday". e.g. --since 1d',
    )
  })
})
