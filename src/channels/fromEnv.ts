import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Env } from '../config/env.js'
import { ConfigError } from '../config/ConfigError.js'
import { nostrChannel } from './nostr/index.js'
import { outboxChannel } from './outbox/index.js'
import type { Channel } from './types.js'
import { webhookChannel } from './webhook/index.js'

/**
 * A credential from its variable, else from the 0600 file its `_FILE` variable names. A file readable by group
 * or others is refused (the error names the file and the fix, never its content).
 *
 * @example
 * ```ts
 * const secret = await readCredential('GONDOLA_WEBHOOK_SECRET', env.GONDOLA_WEBHOOK_SECRET, env.GONDOLA_WEBHOOK_SECRET_FILE)
 * ```
 */
export async function readCredential(name: string, value: string | undefined, file: string | undefined): Promise<string> {
  if (value) return value
  if (!file) throw new ConfigError(`${name} is not set.`, { metaMessages: [`Set ${name}, or ${name}_FILE to a file (mode 0600) holding it.`], code: 'CHANNEL_NO_CREDENTIAL' })
  const info = await stat(file).catch((cause: unknown) => {
    throw new ConfigError(`${name}_FILE: cannot read ${file}.`, { cause, code: 'CHANNEL_CREDENTIAL_FILE' })
  })
  if (info.mode & 0o077) throw new ConfigError(`${name}_FILE: ${file} is readable by other users (mode ${(info.mode & 0o777).toString(8)}).`, { metaMessages: [`Run: chmod 600 ${file}`], code: 'CHANNEL_CREDENTIAL_MODE' })
  const text = (await readFile(file, 'utf8')).trim()
  if (!text) throw new ConfigError(`${name}_FILE: ${file} is empty.`, { code: 'CHANNEL_CREDENTIAL_FILE' })
  return text
}

/**
 * The channel `GONDOLA_CHANNEL` selects, with its credentials from the environment or 0600 files.
 *
 * @example
 * ```ts
 * const channel = await channelFromEnv(readEnv())
 * ```
 */
export async function channelFromEnv(env: Env): Promise<Channel> {
  if (env.GONDOLA_CHANNEL === 'webhook') {
    if (!env.GONDOLA_WEBHOOK_URL) throw new ConfigError('GONDOLA_WEBHOOK_URL is not set (GONDOLA_CHANNEL=webhook).', { code: 'CHANNEL_NO_URL' })
    const secret = await readCredential('GONDOLA_WEBHOOK_SECRET', env.GONDOLA_WEBHOOK_SECRET, env.GONDOLA_WEBHOOK_SECRET_FILE)
    return webhookChannel({ url: env.GONDOLA_WEBHOOK_URL, secret, format: env.GONDOLA_WEBHOOK_FORMAT })
  }
  if (env.GONDOLA_CHANNEL === 'nostr') {
    if (!env.GONDOLA_NOSTR_RELAYS) throw new ConfigError('GONDOLA_NOSTR_RELAYS is not set (GONDOLA_CHANNEL=nostr).', { code: 'CHANNEL_NO_RELAYS' })
    const secretKeyHex = await readCredential('GONDOLA_NOSTR_SECRET_KEY', env.GONDOLA_NOSTR_SECRET_KEY, env.GONDOLA_NOSTR_SECRET_KEY_FILE)
    return nostrChannel({ relays: env.GONDOLA_NOSTR_RELAYS.split(','), secretKeyHex })
  }
  return outboxChannel({ dir: join(env.GONDOLA_STATE_DIR, 'outbox') })
}
