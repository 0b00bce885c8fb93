import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { devStake } from '../devnet/src/devnet/devStake.js'
import { KeyQuotaError } from '../src/keys/errors.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { provisionApiKey } from '../src/keys/provisionApiKey.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const devnet = useDevnet()
// A cap of 25 active keys, so the 20-per-minute creation limit is reached first, then the cap.
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0, maxActiveKeys: 25 })

describe('key creation limits', () => {
  it('waits out the 20-per-minute limit (a 429 created nothing), then reports the active-key cap as KeyQuotaError', async () => {
    await devStake(devnet(), 4, parseEther('1'))
    const signer = privateKeyToAccount(devnet().accounts[4]!.privateKey)
    // Another store per mint, so the client-side pacing (which would avoid the 429) does not kick in.
    const newStore = async () => KeyStore.open({ path: join(await mkdtemp(join(tmpdir(), 'gondola-quota-')), 'keys.json') })
    // The waits for the creation limit (a loaded machine may add a transient retry's wait: not what this tests).
    const waits: number[] = []
    const onWait = (w: { reason: string; ms: number }) => {
      if (w.reason === 'rate-limited' || w.reason === 'creation-limit') waits.push(w.ms)
    }
    const sleep = async (ms: number) => {
      emulator().advance(ms) // the emulator's minute passes, not ours
    }
    const mint = async () =>
      provisionApiKey({
        signer,
        baseURL: emulator().baseURL,
        store: await newStore(),
        now: () => emulator().now(),
        sleep,
        onWait,
        apiKeyType: 'ADMIN',
        description: 'quota',
      })
    for (let i = 0; i < 25; i++) await mint()
    expect(waits).toHaveLength(1) // the 21st mint waited once for Retry-After
    expect(waits[0]).toBeGreaterThan(0)
    const err = await mint().catch((e) => e)
    expect(err).toBeInstanceOf(KeyQuotaError)
    expect(err.metaMessages.join(' ')).toMatch(/gondola keys revoke/)
  })
})
