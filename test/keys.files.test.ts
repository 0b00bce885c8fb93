import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { createKeystore } from '../src/wallet/accounts/createKeystore.js'
import { loadAccount } from '../src/wallet/accounts/loadAccount.js'
import { gondolaInProcess } from './helpers/gondolaInProcess.js'

const password = 'correct horse battery'

describe('a damaged or edited wallet keystore says which file and what is wrong', () => {
  it('an edited address is not "Wrong password"; truncated JSON is named; nothing is rewritten', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gondola-ksfile-'))
    const path = join(dir, 'wallet.keystore.json')
    await createKeystore({ path, password, scryptN: 1024 })
    const original = await readFile(path, 'utf8')

    const edited = JSON.stringify({ ...JSON.parse(original), address: '0000000000000000000000000000000000000001' })
    await writeFile(path, edited)
    const tampered = await loadAccount({ keystorePath: path, password }).catch((e: unknown) => e)
    expect(tampered).toMatchObject({
      name: 'KeystoreError',
      code: 'KEYSTORE_TAMPERED',
      exitCode: 3,
      shortMessage: `The keystore ${path} was edited: its "address" field does not match the key inside it.`,
    })
    expect((tampered as Error).message).not.toMatch(/wrong password/i)
    expect(await readFile(path, 'utf8')).toBe(edited)

    await writeFile(path, original.slice(0, 120))
    await expect(loadAccount({ keystorePath: path, password })).rejects.toMatchObject({
      code: 'KEYSTORE_INVALID',
      exitCode: 3,
      shortMessage: `The keystore ${path} is not valid JSON (truncated or edited).`,
    })
    await writeFile(path, original)
    await expect(loadAccount({ keystorePath: path, password: 'not the password' })).rejects.toMatchObject({ code: 'KEYSTORE_BAD_PASSWORD', exitCode: 3 })
  })
})

describe('the CLI on damaged files: exit 3, the file named, the file left as it was', () => {
  it('keys list on a truncated key store, wallet address on a garbage keystore', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-cli-files-'))
    const keys = join(stateDir, 'keys.json')
    const store = await KeyStore.open({ path: keys })
    await store.completeAttempt('none', {
      id: 'k1',
      apiKeyType: 'ADMIN',
      apiKey: 'vk_0123456789abcdef0123',
      description: 'x',
      consumptionLimit: {},
      limitPeriod: null,
      expiresAt: null,
      wallet: '0x0000000000000000000000000000000000000001',
      apiOrigin: 'http://127.0.0.1:1',
      createdAt: new Date(0).toISOString(),
    })
    const truncated = (await readFile(keys, 'utf8')).slice(0, 200)
    await writeFile(keys, truncated)
    await writeFile(join(stateDir, 'wallet.keystore.json'), 'garbage{')
    const env = { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_PRIVATE_KEY: '', GONDOLA_KEYSTORE_PASSWORD: '' }
    // In process (runCli): the messages and exit class are the command's; no process behaviour is checked here.
    const [list, address] = await Promise.all(
      [
        ['keys', 'list'],
        ['wallet', 'address'],
      ].map((args) => gondolaInProcess(args, env)),
    )
    expect(list!.code).toBe(3)
    expect(list!.stderr).toContain(`gondola: The key store ${keys} is cut short (truncated). Restore ${keys} from a backup.`)
    expect(list!.stderr).not.toMatch(/Unterminated string|position \d+/)
    expect(address!.code).toBe(3)
    expect(address!.stderr).toContain(`The keystore ${join(stateDir, 'wallet.keystore.json')} is not valid JSON (truncated or edited).`)
    expect(address!.stderr).not.toContain('Unexpected token')
    expect(await readFile(keys, 'utf8')).toBe(truncated)
  })
})
