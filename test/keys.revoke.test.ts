import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { exitCodeOf } from '../src/errors/exitCodeOf.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { originOf } from '../src/keys/provisionApiKey.js'
import { revokeApiKey } from '../src/keys/revokeApiKey.js'
import { createVeniceClient } from '../src/venice/createVeniceClient.js'
import { useEmulator } from './helpers/useEmulator.js'

const wallet = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address
const emulator = useEmulator({ stakes: { [wallet]: { svvv: 10n ** 20n } } })

/** A key store holding an ADMIN key and one INFERENCE key, both live on the emulator. */
async function keptKeys() {
  const store = await KeyStore.open({ path: join(await mkdtemp(join(tmpdir(), 'gondola-revoke-')), 'keys.json') })
  const apiOrigin = originOf(emulator().baseURL)
  const keep = async (apiKeyType: 'ADMIN' | 'INFERENCE') => {
    const { apiKey, id } = emulator().createKey(wallet, { apiKeyType })
    await store.completeAttempt('none', {
      id,
      apiKeyType,
      apiKey,
      description: `gondola:${apiKeyType}`,
      consumptionLimit: {},
      limitPeriod: 'EPOCH',
      expiresAt: null,
      wallet,
      apiOrigin,
      createdAt: new Date().toISOString(),
    })
    return { id, apiKey }
  }
  const admin = await keep('ADMIN')
  const inference = await keep('INFERENCE')
  const revokeOnVenice = (id: string) => createVeniceClient({ baseURL: emulator().baseURL, apiKey: admin.apiKey, maxRetries: 0 }).deleteApiKey(id)
  return { store, admin, inference, revokeOnVenice }
}

// Issue #26 (operator footguns): "Revoking an already-revoked key is exit 3 (configuration)".
describe('gondola keys revoke: a key whose ADMIN key Venice refuses', () => {
  it('an INFERENCE key already revoked on Venice is forgotten (exit 0), though the ADMIN key is refused too', async () => {
    const { store, inference, admin, revokeOnVenice } = await keptKeys()
    await revokeOnVenice(inference.id)
    await revokeOnVenice(admin.id) // e.g. `keys revoke <admin> --yes` run earlier, or the account's ADMIN key revoked elsewhere
    const r = await revokeApiKey({ store, baseURL: emulator().baseURL, id: inference.id })
    expect(r).toEqual({ id: inference.id, alreadyGone: true })
    expect(store.find(inference.id)).toBeUndefined()
  })

  it('a live INFERENCE key is kept, and the refusal is a configuration error (exit 3) saying to re-provision', async () => {
    const { store, inference, admin, revokeOnVenice } = await keptKeys()
    await revokeOnVenice(admin.id)
    const err = await revokeApiKey({ store, baseURL: emulator().baseURL, id: inference.id }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'KEY_ADMIN_REFUSED', metaMessages: [expect.stringContaining('gondola provision')] })
    expect(exitCodeOf(err)).toBe(3)
    expect(store.find(inference.id)).toBeDefined()
    // The key still works: it was not taken for revoked.
    const chat = createVeniceClient({ baseURL: emulator().baseURL, apiKey: inference.apiKey, maxRetries: 0 })
    expect(await chat.listCharacters({ limit: 1 })).toBeInstanceOf(Array)
  })
})
