import { mkdtemp, readFile, stat, chmod, writeFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { KeyStoreFileError } from '../src/keys/errors.js'

const wallet = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const apiOrigin = 'http://127.0.0.1:1'
const secret = 'vk_0123456789abcdefSECRETSECRET'

async function tempPath() {
  return join(await mkdtemp(join(tmpdir(), 'gondola-keys-')), 'keys.json')
}

function newKey(id: string, apiKeyType: 'ADMIN' | 'INFERENCE' = 'INFERENCE') {
  return {
    id,
    apiKeyType,
    apiKey: `${secret}${id}`,
    description: `gondola:${id}`,
    consumptionLimit: { diem: 1 },
    limitPeriod: 'EPOCH' as const,
    expiresAt: null,
    wallet,
    apiOrigin,
    createdAt: new Date(0).toISOString(),
  }
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
    await expect(KeyStore.open({ path })).rejects.toBeInstanceOf(KeyStoreFileError)
  })

  it('finds keys by id prefix and removes them', async () => {
    const store = await KeyStore.open({ path: await tempPath() })
    await store.completeAttempt('x', newKey('abcdef-1'))
    expect(store.find('abc')?.id).toBe('abcdef-1')
    await store.remove('abcdef-1')
    expect(store.find('abc')).toBeUndefined()
  })

  it("two handles on one file never drop each other's keys or attempts (read-modify-write under the lock)", async () => {
    const path = await tempPath()
    const a = await KeyStore.open({ path, password: 'hunter22' })
    const b = await KeyStore.open({ path, password: 'hunter22' }) // opened before the file exists: its own salt
    await a.beginAttempt({ attemptId: 'a-1', description: 'x', apiKeyType: 'ADMIN', wallet, apiOrigin })
    await b.beginAttempt({ attemptId: 'b-1', description: 'y', apiKeyType: 'INFERENCE', wallet, apiOrigin })
    await Promise.all([a.completeAttempt('a-1', newKey('ka', 'ADMIN')), b.completeAttempt('none', newKey('kb1')), b.completeAttempt('none', newKey('kb2'))])
    const fresh = await KeyStore.open({ path, password: 'hunter22' })
    expect(
      fresh
        .keys()
        .map((k) => k.id)
        .sort(),
    ).toEqual(['ka', 'kb1', 'kb2'])
    expect(fresh.pendingAttempts().map((p) => p.attemptId)).toEqual(['b-1'])
    for (const id of ['ka', 'kb1', 'kb2']) expect(fresh.reveal(id)).toBe(`${secret}${id}`)
    expect((await readdir(join(path, '..'))).sort()).toEqual(['keys.json']) // no lock or temp file left behind
  })

  describe('a damaged or tampered file is named, explained, and never written over', () => {
    async function damaged(edit: (text: string) => string, password?: string) {
      const path = await tempPath()
      const store = await KeyStore.open({ path, password })
      await store.completeAttempt('x', newKey('k1', 'ADMIN'))
      await store.completeAttempt('y', newKey('k2'))
      const text = edit(await readFile(path, 'utf8'))
      await writeFile(path, text)
      return { path, text, store }
    }
    const refused = async (path: string, password?: string) => {
      const err = (await KeyStore.open({ path, password }).catch((e: unknown) => e)) as KeyStoreFileError
      expect(err).toBeInstanceOf(KeyStoreFileError)
      expect(err.exitCode).toBe(3)
      expect(err.shortMessage).toContain(path)
      expect(err.metaMessages.length).toBeGreaterThan(0)
      return err
    }

    it('truncated, garbage, empty, or not a key store', async () => {
      const truncated = await damaged((t) => t.slice(0, 200))
      expect((await refused(truncated.path)).shortMessage).toBe(`The key store ${truncated.path} is cut short (truncated).`)
      const garbage = await damaged(() => 'garbage{')
      expect((await refused(garbage.path)).shortMessage).toBe(`The key store ${garbage.path} is not valid JSON (edited or damaged).`)
      expect((await refused((await damaged(() => '')).path)).shortMessage).toMatch(/is empty\.$/)
      const foreign = await damaged(() => '{"keys": []}')
      expect((await refused(foreign.path)).shortMessage).toMatch(/is not a Gondola key store, or was edited \(version: /)
      expect((await refused(truncated.path)).metaMessages[0]).toMatch(/Restore .* from a backup/)
    })

    it('a handle opened earlier does not write over a file that became unreadable', async () => {
      const { path, text, store } = await damaged((t) => t.slice(0, 120))
      await expect(store.remove('k1')).rejects.toBeInstanceOf(KeyStoreFileError)
      await expect(store.beginAttempt({ attemptId: 'z', description: 'z', apiKeyType: 'ADMIN', wallet, apiOrigin })).rejects.toBeInstanceOf(KeyStoreFileError)
      expect(await readFile(path, 'utf8')).toBe(text)
    })

    it('a tampered sealed secret names the key; a wrong password says so', async () => {
      const { path } = await damaged((t) => {
        const json = JSON.parse(t)
        const ct = json.inference[0].secret.ct as string
        json.inference[0].secret.ct = `${ct.slice(0, -2)}${ct.endsWith('00') ? '11' : '00'}`
        return JSON.stringify(json)
      }, 'hunter22')
      const err = await refused(path, 'hunter22')
      expect(err.shortMessage).toBe(`The key store ${path} was tampered with or damaged: the secret of key k2 fails its integrity check.`)
      expect(err.message).not.toContain('Unsupported state')
      expect((await refused(path, 'not-the-password')).shortMessage).toMatch(/^Wrong password for the key store /)
      const header = await damaged((t) => t.replace(/"salt": "[0-9a-f]+"/, '"salt": "00"'), 'hunter22')
      expect((await refused(header.path, 'hunter22')).shortMessage).toMatch(/^Wrong password for the key store /)
    })
  })
})
