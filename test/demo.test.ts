import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { answersRpc } from './helpers/answersRpc.js'

const run = promisify(execFile)

describe('npm start (gondola demo)', () => {
  it('runs the whole self-funding story, prints its summary, exits 0 and leaves nothing running', async () => {
    const { stdout } = await run('npm', ['start', '--silent', '--', '--json'], { env: { ...process.env, CI: 'true' }, timeout: 120_000 })
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const summary = JSON.parse(lines[0]!)
    // Provisioning (swap, approve, stake; DIEM mint + stake) and exactly one automatic top-up.
    expect(summary.transactions.byPhase).toMatchObject({ provision: 3, diem: 2 })
    expect(summary.topUps).toHaveLength(1)
    expect(summary.topUps[0]).toMatchObject({ reason: 'runway', ethIn: '0.01' })
    expect(Number(summary.topUps[0].diemStaked)).toBeGreaterThan(0)
    expect(summary.calls.count).toBeGreaterThanOrEqual(4)
    expect(summary.calls.diemPerCall.min).toBeGreaterThan(0)
    // An ADMIN key kept by the host and a limited INFERENCE key for the agent; secrets redacted.
    expect(summary.keys.map((k: { apiKeyType: string }) => k.apiKeyType).sort()).toEqual(['ADMIN', 'INFERENCE'])
    expect(summary.keys.find((k: { apiKeyType: string }) => k.apiKeyType === 'INFERENCE').consumptionLimit.diem).toBe(0.05)
    // Spendable is the status model's: after the top-up the account holds more, but the key's own 0.05 caps it.
    expect(summary.runway.spendableDiem).toBeGreaterThan(0)
    expect(summary.runway.spendableDiem).toBeLessThanOrEqual(0.05)
    // Nothing left behind: the chain and the emulator are gone.
    expect(await answersRpc(summary.details.world.rpcUrl)).toBe(false)
    expect(await answersRpc(summary.details.world.veniceBaseUrl + '/models')).toBe(false)
  })
})
