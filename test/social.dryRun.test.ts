import { afterEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../src/cli/runCli.js'
import { fitCaption, graphemeLength } from '../src/social/index.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet)

// A 532-character caption, as in the issue: the model ignores the "at most N characters" it was asked for.
const LONG = `${'Fog rolls over the lagoon and the bell towers disappear one by one, '.repeat(8)}gm`.slice(0, 532)

afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

describe('gondola run social-bot --dry-run shows what would be published (issue #28 item 3)', () => {
  it('for each configured channel, exactly the text a real run posts: cut to Bluesky’s 300 graphemes', async () => {
    const { wallet, store, stateDir } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['social-bot'] })
    await publishDevnet(stateDir, devnet(), emulator().baseURL)
    const key = store.summaries().find((k) => k.agent === 'social-bot')!
    emulator().script(store.reveal(key.id), [{ content: LONG }])
    vi.stubEnv('GONDOLA_STATE_DIR', stateDir)
    vi.stubEnv('GONDOLA_PRIVATE_KEY', wallet.privateKey)
    vi.stubEnv('GONDOLA_CHANNEL', 'bluesky,nostr')
    vi.stubEnv('GONDOLA_BLUESKY_HANDLE', 'marco.bsky.social')
    let out = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true))
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const code = await runCli(['run', 'social-bot', '--dry-run', '--json', '--budget-diem-per-day', '1'])
    vi.unstubAllEnvs()
    expect(code).toBe(0)
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as { status: string; text: string; wouldPublish: { channel: string; text: string }[] }
    expect(report.status).toBe('dry-run')
    expect(report.wouldPublish.map((p) => p.channel)).toEqual(['bluesky', 'nostr'])
    // Before the fix the dry run composed for no channel (limit 1000) and showed all 532 characters.
    for (const p of report.wouldPublish) {
      expect(p.text).toBe(fitCaption(LONG, 300))
      expect(graphemeLength(p.text)).toBeLessThanOrEqual(300)
    }
  })
})
