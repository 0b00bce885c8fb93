import { access } from 'node:fs/promises'
import type { Address } from 'viem'
import { atomicWrite } from '../../util/atomicWrite.js'
import { KeystoreError } from '../errors.js'

export type CreateKeystoreParameters = {
  /** Where to write the keystore (mode 0600). An existing file is never overwritten. */
  path: string
  /** Encryption password (at least 8 characters). */
  password: string
  /** scrypt cost; defaults to ethers' 2^17. Tests may lower it. */
  scryptN?: number | undefined
}

export type CreateKeystoreReturnType = { address: Address; path: string }

/**
 * Creates a fresh random EOA and writes it as an ethers v3 (scrypt) encrypted JSON keystore,
 * atomically, with mode 0600. Returns only the address: the key never leaves this function.
 *
 * @throws {KeystoreError} when the file already exists or the password is too short.
 *
 * @example
 * ```ts
 * const { address } = await createKeystore({ path: '.gondola/wallet.keystore.json', password: 'correct horse battery' })
 * ```
 */
export async function createKeystore(parameters: CreateKeystoreParameters): Promise<CreateKeystoreReturnType> {
  const { path, password, scryptN } = parameters
  if (password.length < 8) {
    throw new KeystoreError('The keystore password is shorter than 8 characters.', {
      metaMessages: ['Choose a password of at least 8 characters.'],
      code: 'KEYSTORE_WEAK_PASSWORD',
    })
  }
  const exists = await access(path).then(
    () => true,
    () => false,
  )
  if (exists) {
    throw new KeystoreError(`A keystore already exists at ${path}.`, {
      metaMessages: ['Move it away first, or point GONDOLA_KEYSTORE at another path: an existing wallet is never overwritten.'],
      code: 'KEYSTORE_EXISTS',
    })
  }
  const { Wallet, encryptKeystoreJson } = await import('ethers') // loaded when a keystore is made, not on import
  const wallet = Wallet.createRandom()
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, scryptN ? { scrypt: { N: scryptN } } : {})
  await atomicWrite(path, json, { mode: 0o600 })
  return { address: wallet.address as Address, path }
}
