import { readFile } from 'node:fs/promises'
import type { Hex, LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ExitCode } from '../../errors/exitCodes.js'
import { whilePrompting } from '../../util/terminalPrompt.js'
import { KeystoreError } from '../errors.js'

export type LoadAccountParameters = {
  /** Path of an ethers v3 encrypted JSON keystore. */
  keystorePath?: string | undefined
  /** The keystore password (e.g. from GONDOLA_KEYSTORE_PASSWORD). */
  password?: string | undefined
  /** A raw 0x private key (e.g. GONDOLA_PRIVATE_KEY). Accepted with a warning; a keystore is preferred. */
  privateKey?: string | undefined
  /** Asks for the password when none is given: `true` uses an interactive masked prompt, or pass your own function. */
  prompt?: boolean | (() => Promise<string>) | undefined
  /** Where the raw-key warning goes (default: stderr). */
  warn?: ((message: string) => void) | undefined
}

/**
 * Loads the agent's EOA as a viem `LocalAccount`: from a raw private key (with a warning),
 * or by decrypting an ethers v3 keystore with the given or prompted password.
 *
 * @throws {KeystoreError} missing file, not a keystore, no password, wrong password, bad key.
 *
 * @example
 * ```ts
 * const account = await loadAccount({ keystorePath: '.gondola/wallet.keystore.json', password: process.env.PW })
 * await account.signMessage({ message: 'hello' })
 * ```
 */
export async function loadAccount(parameters: LoadAccountParameters): Promise<LocalAccount> {
  const { keystorePath, privateKey, warn = (m: string) => process.stderr.write(`warning: ${m}\n`) } = parameters
  if (privateKey !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
      throw new KeystoreError('The private key is malformed.', { metaMessages: ['It must be 0x followed by 64 hex characters.'], code: 'KEY_MALFORMED' })
    }
    warn('using a raw private key from configuration; prefer an encrypted keystore (gondola wallet new).')
    return privateKeyToAccount(privateKey as Hex)
  }
  if (!keystorePath) {
    throw new KeystoreError('No wallet configured.', {
      metaMessages: ['Run `gondola wallet new`, or set GONDOLA_KEYSTORE (or GONDOLA_PRIVATE_KEY).'],
      code: 'KEYSTORE_MISSING',
    })
  }
  const json = await readFile(keystorePath, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new KeystoreError(`Cannot read the keystore at ${keystorePath} (${cause.code ?? 'error'}).`, {
      metaMessages: ['Run `gondola wallet new` to create one, or fix GONDOLA_KEYSTORE.'],
      code: 'KEYSTORE_MISSING',
      exitCode: ExitCode.config,
    })
  })
  // ethers (scrypt keystores) loads here, with the first keystore read: not with every import of the wallet.
  const { decryptKeystoreJson, isKeystoreJson } = await import('ethers')
  if (!isKeystoreJson(json)) {
    const what = json.trim() === '' ? 'is empty' : isJson(json) ? 'is not an encrypted JSON keystore' : 'is not valid JSON (truncated or edited)'
    throw new KeystoreError(`The keystore ${keystorePath} ${what}.`, {
      metaMessages: [`Restore ${keystorePath} from your backup (it is never written over), or point GONDOLA_KEYSTORE at a v3 keystore file.`],
      code: 'KEYSTORE_INVALID',
      exitCode: ExitCode.config,
    })
  }
  const password = await resolvePassword(parameters)
  try {
    const decrypted = await decryptKeystoreJson(json, password)
    return privateKeyToAccount(decrypted.privateKey as Hex)
  } catch (err) {
    // The cause is dropped on purpose: it could echo key material. ethers names the failed check in `argument`.
    if ((err as { argument?: unknown }).argument === 'address') {
      throw new KeystoreError(`The keystore ${keystorePath} was edited: its "address" field does not match the key inside it.`, {
        metaMessages: [`The password is right. Restore ${keystorePath} from your backup, or put back the address of the key it holds.`],
        code: 'KEYSTORE_TAMPERED',
        exitCode: ExitCode.config,
      })
    }
    throw new KeystoreError(`Wrong password for the keystore at ${keystorePath} (or its encrypted part was damaged).`, {
      metaMessages: ['Check GONDOLA_KEYSTORE_PASSWORD or retype the password.'],
      code: 'KEYSTORE_BAD_PASSWORD',
      exitCode: ExitCode.config,
    })
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

async function resolvePassword(parameters: LoadAccountParameters): Promise<string> {
  if (parameters.password !== undefined && parameters.password !== '') return parameters.password
  const { prompt } = parameters
  if (typeof prompt === 'function') return prompt()
  if (prompt === true) return promptKeystorePassword()
  throw new KeystoreError('The keystore is encrypted and no password was given.', {
    metaMessages: ['Set GONDOLA_KEYSTORE_PASSWORD, or run interactively to be prompted.'],
    code: 'KEYSTORE_NO_PASSWORD',
  })
}

let typed: string | undefined

/**
 * Asks for the keystore password once per process (masked, on the terminal) and remembers it, so everything
 * sealed with "the keystore password" — the key store's secrets too — is sealed the same way whether it was
 * exported (GONDOLA_KEYSTORE_PASSWORD) or typed.
 *
 * @example
 * ```ts
 * const password = await promptKeystorePassword()
 * ```
 */
export async function promptKeystorePassword(): Promise<string> {
  if (typed !== undefined) return typed
  const { default: password } = await import('@inquirer/password')
  typed = await whilePrompting(() => password({ message: 'Keystore password', mask: '*' }))
  return typed
}

/**
 * The password typed at the prompt in this process, if one was.
 *
 * @example
 * ```ts
 * KeyStore.open({ path, password: env.GONDOLA_KEYSTORE_PASSWORD ?? typedKeystorePassword() })
 * ```
 */
export function typedKeystorePassword(): string | undefined {
  return typed
}
