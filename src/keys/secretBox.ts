import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'

/** An encrypted secret as stored on disk (AES-256-GCM). */
export type SealedSecret = { iv: string; tag: string; ct: string }

/** Parameters of the password-derived key, stored in the file header. */
export type SecretBoxParams = { kdf: 'scrypt'; salt: string; N: number; r: number; p: number }

/**
 * Encrypts and decrypts short secrets (API keys) with a key derived once from a password.
 *
 * @example
 * ```ts
 * const box = SecretBox.create('correct horse')
 * const sealed = box.seal('vk_secret')
 * SecretBox.open('correct horse', box.params).unseal(sealed) // 'vk_secret'
 * ```
 */
export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    readonly params: SecretBoxParams,
  ) {}

  /** A new box with a fresh random salt. */
  static create(password: string): SecretBox {
    const params: SecretBoxParams = { kdf: 'scrypt', salt: randomBytes(16).toString('hex'), N: 16384, r: 8, p: 1 }
    return SecretBox.open(password, params)
  }

  /** Re-opens a box from stored parameters. A wrong password shows up as a failure in `unseal`. */
  static open(password: string, params: SecretBoxParams): SecretBox {
    const key = scryptSync(password, Buffer.from(params.salt, 'hex'), 32, { N: params.N, r: params.r, p: params.p })
    return new SecretBox(key, params)
  }

  seal(plaintext: string): SealedSecret {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return { iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex'), ct: ct.toString('hex') }
  }

  /** @throws Error when the password is wrong or the data was tampered with. */
  unseal(sealed: SealedSecret): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'hex'))
    decipher.setAuthTag(Buffer.from(sealed.tag, 'hex'))
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'hex')), decipher.final()]).toString('utf8')
  }
}
