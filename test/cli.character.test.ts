import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { encryptKeystoreJson, Wallet as EthersWallet } from 'ethers'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { originOf } from '../src/keys/provisionApiKey.js'
import { useEmulator } from './helpers/useEmulator.js'

const run = promisify(execFile)
const FILE = 'test/fixtures/eliza-classic.character.json'
const SECRET = 'sk-test-should-never-appear-1234567890'
const PASSWORD = 'correct-horse-battery-staple'
const emulator = useEmulator()

async function gondola(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return run(process.execPath, ['bin/gondola.js', ...args], { env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )
}

/** A state dir with a keystore wallet and, optionally, one kept key of `type` minted on the emulator for it. */
async function stateWithKey(type: 'ADMIN' | 'INFERENCE' | undefined, otherWallet = false) {
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-characters-'))
  const wallet = EthersWallet.createRandom()
  await writeFile(
    join(stateDir, 'wallet.keystore.json'),
    await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, PASSWORD, { scrypt: { N: 1024 } }),
    { mode: 0o600 },
  )
  let apiKey: string | undefined
  if (type) {
    const owner = (otherWallet ? EthersWallet.createRandom().address : wallet.address) as `0x${string}`
    const created = emulator().createKey(owner, { apiKeyType: type })
    apiKey = created.apiKey
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json'), password: PASSWORD })
    const apiOrigin = originOf(emulator().baseURL)
    await store.beginAttempt({ attemptId: 'a1', description: 'test', apiKeyType: type, wallet: owner, apiOrigin })
    await store.completeAttempt('a1', {
      id: created.id,
      apiKey,
      apiKeyType: type,
      description: 'test',
      consumptionLimit: {},
      limitPeriod: null,
      expiresAt: null,
      wallet: owner,
      apiOrigin,
      createdAt: new Date().toISOString(),
    })
  }
  const env = {
    ...process.env,
    GONDOLA_STATE_DIR: stateDir,
    GONDOLA_KEYSTORE_PASSWORD: PASSWORD,
    GONDOLA_PRIVATE_KEY: '',
    VENICE_API_BASE_URL: emulator().baseURL,
  }
  return { env, apiKey, privateKey: wallet.privateKey }
}

describe('gondola character import (subprocess)', () => {
  it('reports what is used, mapped and ignored, in text and JSON, and never prints the secret', async () => {
    const text = await gondola(['character', 'import', FILE])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^Character "Marco" from test\/fixtures\/eliza-classic\.character\.json is valid\.\nUsed:\n {2}- name\n/)
    expect(text.stdout).toContain('Mapped:\n')
    expect(text.stdout).toContain('  - clients (not used: channels are configured in Gondola)\n')
    expect(text.stdout).toContain('  - modelProvider "openai" (not used: inference is Venice)\n')
    const json = await gondola(['character', 'import', FILE, '--json'])
    const parsed = JSON.parse(json.stdout)
    expect(parsed.name).toBe('Marco')
    expect(parsed.report.ignored.some((l: string) => l.startsWith('secrets (1 entry'))).toBe(true)
    expect(parsed.counts.bio).toBeGreaterThan(0)
    for (const out of [text, json]) expect(out.stdout + out.stderr).not.toContain(SECRET)
  })

  it('a bad file exits 3 naming the file and the field; a missing file and a non-JSON file too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-char-'))
    const bad = join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ name: 'X', bio: [1, 2], settings: { secrets: { K: 'sk-hidden-9999999999' } } }))
    const invalid = await gondola(['character', 'import', bad])
    expect(invalid.code).toBe(3)
    expect(invalid.stderr).toContain(`${bad}: bio`)
    expect(invalid.stdout + invalid.stderr).not.toContain('sk-hidden-9999999999')
    const notJson = join(dir, 'not.json')
    await writeFile(notJson, '{ name: ')
    const nj = await gondola(['character', 'import', notJson])
    expect([nj.code, nj.stderr]).toEqual([3, expect.stringContaining(`${notJson} is not valid JSON.`)])
    const missing = await gondola(['character', 'import', join(dir, 'nope.json')])
    expect([missing.code, missing.stderr]).toEqual([3, expect.stringContaining('Cannot read the character file')])
    const flag = await gondola(['character', 'import', FILE, '--jsno'])
    expect([flag.code, flag.stdout]).toEqual([2, ''])
    expect(flag.stderr).toContain('Unknown flag --jsno')
  })
})

describe('gondola characters list|show (subprocess, emulator over HTTP)', () => {
  it('lists and shows Venice characters with a kept INFERENCE key, never printing it', async () => {
    const { env, apiKey, privateKey } = await stateWithKey('INFERENCE')
    const listed = await gondola(['characters', 'list', '--json'], env)
    expect(listed.code).toBe(0)
    const slugs = JSON.parse(listed.stdout).characters.map((c: { slug: string }) => c.slug)
    expect(slugs).toEqual(expect.arrayContaining(['alan-watts', 'venice', 'satoshi']))
    const text = await gondola(['characters', 'list'], env)
    expect(text.stdout).toMatch(/^alan-watts +Alan Watts +venice-uncensored-1-2$/m)
    const shown = await gondola(['characters', 'show', 'alan-watts', '--json'], env)
    expect(JSON.parse(shown.stdout).character).toMatchObject({ slug: 'alan-watts', name: 'Alan Watts', modelId: 'venice-uncensored-1-2' })
    const missing = await gondola(['characters', 'show', 'no-such-one'], env)
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/^gondola: 404 .*character/im)
    for (const out of [listed, text, shown, missing])
      for (const s of [apiKey!, PASSWORD, privateKey, privateKey.slice(2)]) expect(out.stdout + out.stderr).not.toContain(s)
  })

  it('uses the ADMIN key too; with no key of this wallet it exits 3 and says how to get one', async () => {
    const admin = await stateWithKey('ADMIN')
    expect((await gondola(['characters', 'show', 'satoshi', '--json'], admin.env)).code).toBe(0)
    const none = await stateWithKey(undefined)
    const noKey = await gondola(['characters', 'list'], none.env)
    expect(noKey.code).toBe(3)
    expect(noKey.stderr).toContain('gondola provision')
    const other = await stateWithKey('INFERENCE', true)
    expect((await gondola(['characters', 'list'], other.env)).code).toBe(3)
    const badLimit = await gondola(['characters', 'list', '--limit', 'ten'], admin.env)
    expect([badLimit.code, badLimit.stderr.trim()]).toEqual([2, 'gondola: --limit must be a whole number from 1 to 100, got "ten".'])
  })
})
