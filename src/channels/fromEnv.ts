import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Env } from '../config/env.js'
import { ConfigError } from '../config/ConfigError.js'
import { blueskyChannel } from './bluesky/index.js'
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
  if (!file)
    throw new ConfigError(`${name} is not set.`, {
      metaMessages: [`Set ${name}, or ${name}_FILE to a file (mode 0600) holding it.`],
      code: 'CHANNEL_NO_CREDENTIAL',
    })
  const info = await stat(file).catch((cause: unknown) => {
    throw new ConfigError(`${name}_FILE: cannot read ${file}.`, { cause, code: 'CHANNEL_CREDENTIAL_FILE' })
  })
  if (info.mode & 0o077)
    throw new ConfigError(`${name}_FILE: ${file} is readable by other users (mode ${(info.mode & 0o777).toString(8)}).`, {
      metaMessages: [`Run: chmod 600 ${file}`],
      code: 'CHANNEL_CREDENTIAL_MODE',
    })
  const text = (await readFile(file, 'utf8')).trim()
  if (!text) throw new ConfigError(`${name}_FILE: ${file} is empty.`, { code: 'CHANNEL_CREDENTIAL_FILE' })
  return text
}

/** The name of a channel `GONDOLA_CHANNEL` may list. */
export type ChannelName = Env['GONDOLA_CHANNEL'][number]

/**
 * One channel by name, with its credentials from the environment or 0600 files.
 *
 * @example
 * ```ts
 * const nostr = await namedChannelFromEnv('nostr', readEnv())
 * ```
 */
export async function namedChannelFromEnv(name: ChannelName, env: Env): Promise<Channel> {
  if (name === 'webhook') {
    if (!env.GONDOLA_WEBHOOK_URL) throw new ConfigError('GONDOLA_WEBHOOK_URL is not set (GONDOLA_CHANNEL=webhook).', { code: 'CHANNEL_NO_URL' })
    const secret = await readCredential('GONDOLA_WEBHOOK_SECRET', env.GONDOLA_WEBHOOK_SECRET, env.GONDOLA_WEBHOOK_SECRET_FILE)
    return webhookChannel({ url: env.GONDOLA_WEBHOOK_URL, secret, format: env.GONDOLA_WEBHOOK_FORMAT })
  }
  if (name === 'nostr') {
    if (!env.GONDOLA_NOSTR_RELAYS) throw new ConfigError('GONDOLA_NOSTR_RELAYS is not set (GONDOLA_CHANNEL=nostr).', { code: 'CHANNEL_NO_RELAYS' })
    const secretKeyHex = await readCredential('GONDOLA_NOSTR_SECRET_KEY', env.GONDOLA_NOSTR_SECRET_KEY, env.GONDOLA_NOSTR_SECRET_KEY_FILE)
    return nostrChannel({ relays: env.GONDOLA_NOSTR_RELAYS.split(','), secretKeyHex })
  }
  if (name === 'bluesky') {
    if (!env.GONDOLA_BLUESKY_HANDLE)
      throw new ConfigError('GONDOLA_BLUESKY_HANDLE is not set (GONDOLA_CHANNEL=bluesky).', {
        metaMessages: ["Set it to the bot's handle, e.g. marco.bsky.social."],
        code: 'CHANNEL_NO_HANDLE',
      })
    const appPassword = await readCredential('GONDOLA_BLUESKY_APP_PASSWORD', env.GONDOLA_BLUESKY_APP_PASSWORD, env.GONDOLA_BLUESKY_APP_PASSWORD_FILE)
    return blueskyChannel({
      service: env.GONDOLA_BLUESKY_SERVICE,
      handle: env.GONDOLA_BLUESKY_HANDLE,
      appPassword,
      sessionPath: join(env.GONDOLA_STATE_DIR, 'social', `bluesky-${env.GONDOLA_BLUESKY_HANDLE}.session.json`),
    })
  }
  return outboxChannel({ dir: join(env.GONDOLA_STATE_DIR, 'outbox') })
}

/**
 * Every channel `GONDOLA_CHANNEL` lists (`bluesky,nostr`), in order, each with its credentials; a missing one
 * fails before anything is published.
 *
 * @example
 * ```ts
 * const channels = await channelsFromEnv(readEnv())
 * ```
 */
export async function channelsFromEnv(env: Env): Promise<Channel[]> {
  const out: Channel[] = []
  for (const name of env.GONDOLA_CHANNEL) out.push(await namedChannelFromEnv(name, env))
  return out
}

/**
 * The first channel `GONDOLA_CHANNEL` selects (see `channelsFromEnv` for all of them).
 *
 * @example
 * ```ts
 * const channel = await channelFromEnv(readEnv())
 * ```
 */
export async function channelFromEnv(env: Env): Promise<Channel> {
  return namedChannelFromEnv(env.GONDOLA_CHANNEL[0] ?? 'outbox', env)
}
