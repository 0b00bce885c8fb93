/**
 * Reading the key store file, and saying exactly what is wrong with it when it cannot be used. Every
 * failure here is a `KeyStoreFileError` naming the file, what is wrong and what to do; the caller never
 * writes over a file this could not read (so a damaged store can still be repaired or restored).
 */
import { readFile, stat } from 'node:fs/promises'
import { KeyStoreFileError } from './errors.js'
import { keyStoreFileSchema, type KeyStoreFile } from './keyStoreSchema.js'
import type { SecretBox } from './secretBox.js'

/** What to do about a store that cannot be read: restore it, or set it aside — never delete keys blindly. */
const REPAIR = (path: string): string[] => [
  `Restore ${path} from a backup. Gondola will not write over it until it reads again.`,
  `Or move it aside (mv ${path} ${path}.damaged) and run \`gondola provision\`: the keys it held stay live on Venice until revoked — with the new ADMIN key, \`gondola status\` lists them.`,
]

/**
 * Reads and validates the key store at `path`.
 *
 * @returns the parsed file, or `undefined` when there is none yet.
 * @throws {KeyStoreFileError} unreadable, readable by other users, not JSON (truncated or edited), or not a key store.
 *
 * @example
 * ```ts
 * const file = await readKeyStoreFile('.gondola/keys.json') // undefined before the first key
 * ```
 */
export async function readKeyStoreFile(path: string): Promise<KeyStoreFile | undefined> {
  let raw: string
  try {
    raw = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    throw new KeyStoreFileError(`Cannot read the key store ${path} (${code ?? 'error'}).`, path, {
      metaMessages: [`Check the permissions of ${path} and of the state directory (GONDOLA_STATE_DIR).`],
    })
  }
  const mode = (await stat(path)).mode & 0o777
  if (mode & 0o077) {
    throw new KeyStoreFileError(`The key store ${path} is readable by other users (mode ${mode.toString(8)}).`, path, {
      metaMessages: [`Run: chmod 600 ${path}`],
    })
  }
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (cause) {
    const what = raw.trim() === '' ? 'empty' : looksTruncated(raw) ? 'cut short (truncated)' : 'not valid JSON (edited or damaged)'
    throw new KeyStoreFileError(`The key store ${path} is ${what}.`, path, { cause, metaMessages: REPAIR(path) })
  }
  const parsed = keyStoreFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? `${issue.path.join('.') || '(top level)'}: ${issue.message}` : parsed.error.message
    throw new KeyStoreFileError(`The key store ${path} is not a Gondola key store, or was edited (${where}).`, path, { metaMessages: REPAIR(path) })
  }
  return parsed.data
}

/**
 * Checks that every sealed secret in `file` opens with `box`: none opening means the password is wrong (or
 * the encryption header was edited); some opening and others not means those keys were tampered with.
 *
 * @throws {KeyStoreFileError} naming the file and, for tampering, the key ids.
 *
 * @example
 * ```ts
 * checkSealedSecrets(file, SecretBox.open(password, file.encryption!), '.gondola/keys.json')
 * ```
 */
export function checkSealedSecrets(file: KeyStoreFile, box: SecretBox, path: string, variable = 'GONDOLA_KEYSTORE_PASSWORD'): void {
  const sealed = [...file.admin, ...file.inference].filter((k) => typeof k.secret !== 'string')
  const bad = sealed.filter((k) => {
    try {
      box.unseal(k.secret as Exclude<typeof k.secret, string>)
      return false
    } catch {
      return true
    }
  })
  if (bad.length === 0) return
  if (bad.length === sealed.length) {
    throw new KeyStoreFileError(`Wrong password for the key store ${path}: ${variable} does not decrypt it.`, path, {
      metaMessages: [`Check ${variable}: it must be the secret the store was sealed with (a wrong value, or an edited "encryption" header).`],
      code: 'KEY_STORE_BAD_PASSWORD',
    })
  }
  throw new KeyStoreFileError(
    `The key store ${path} was tampered with or damaged: the secret of key ${bad.map((k) => k.id).join(', ')} fails its integrity check.`,
    path,
    {
      metaMessages: [
        `Restore ${path} from a backup. Gondola will not write over it until it reads again.`,
        `Or delete ${bad.length === 1 ? 'that entry' : 'those entries'} from the file by hand: the key stays live on Venice until an ADMIN key revokes it.`,
      ],
      code: 'KEY_STORE_TAMPERED',
    },
  )
}

function looksTruncated(raw: string): boolean {
  const text = raw.trimEnd()
  return text.startsWith('{') && !text.endsWith('}')
}
