import { mkdtemp, readFile, stat, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { KeyStoreError } from '../src/keys/errors.js'

const wallet = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const apiOrigin = 'http://127.0.0.1:1'
const secret = 'vk_0123456789abcdefSECRETSECRET'

async function tempPath() {
  return join(await mkdtemp(join(tmpdir(), 'gondola-keys-')), 'keys.json')
}

function newKey(id: string, apiKeyType: 'ADMIN' | 'INFERENCE' = 'INFERENCE') {
  return { id, apiKeyType, apiKey: `${secret}${id}`, description: `gondola:${id}`, consumptionLimit: { diem: 1 }, limitPeriod: 'EPOCH' as const, expiresAt: null, wallet, apiOrigin, createdAt: new Date(0).toISOString() }
}

describe('KeyStore', () => {
  it('writes mode 0600 and keeps ADMIN and INFERENCE keys apart', async () => {
    const path = await tempPath()
    const store = await KeyStore.open({ path })
    const a = await store.beginAttempt({ attemptId: 'a1', description: 'gondola:admin', apiKeyType: 'ADMIN', wallet, apiOrigin })
    expect(store.pendingAttempts()).toHaveLength(1)
    await store.completeAttempt(a.attemptId, newKey('k-admin', 'ADMIN'))
    await store.completeAttempt('none', newKey('k-inf'))
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const reopened = await KeyStore.open({ path })
    expect(reopened.keys('ADMIN').map((k) => k.id)).toEqual(['k-admin'])
    expect(reopened.keys('INFERENCE').map((k) => k.id)).toEqual(['k-inf'])
    expect(reopened.pendingAttempts()).toEqual([])
    expect(reopened.reveal('k-inf')).toBe(`${secret}k-inf`)
  })

  it('never shows a secret in summaries', async () => {
    const store = await KeyStore.open({ path: await tempPath() })
    await store.completeAttempt('x', newKey('k1'))
    const text = JSON.stringify(store.summaries())
    expect(text).not.toContain(secret)
    expect(store.summaries()[0]?.redacted).toMatch(/^vk_01…/)
  })

  it('seals secrets with the password and refuses a wrong one', async () => {
    const path = await tempPath()
    const store = await KeyStore.open({ path, password: 'hunter22' })
    await store.completeAttempt('x', newKey('k1'))
    expect(await readFile(path, 'utf8')).not.toContain(secret)
    expect((await KeyStore.open({ path, password: 'hunter22' })).reveal('k1')).toBe(`${secret}k1`)
    await expect(KeyStore.open({ path, password: 'wrong' })).rejects.toThrow(/Wrong password/)
    await expect(KeyStore.open({ path })).rejects.toThrow(/password is needed/)
  })

  it('refuses a store readable by others', async () => {
    const path = await tempPath()
    const store = await KeyStore.open({ path })
    await store.completeAttempt('x', newKey('k1'))
    await chmod(path, 0o644)
    await expect(KeyStore.open({ path })).rejects.toBeInstanceOf(KeyStoreError)
  })

  it('finds keys by id prefix and removes them', async () => {
    const store = await KeyStore.open({ path: await tempPath() })
    await store.completeAttempt('x', newKey('abcdef-1'))
    expect(store.find('abc')?.id).toBe('abcdef-1')
    await store.remove('abcdef-1')
    expect(store.find('abc')).toBeUndefined()
  })
})
