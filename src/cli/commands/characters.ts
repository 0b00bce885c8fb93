import { defineCommand } from 'citty'
import { readEnv, type Env } from '../../config/env.js'
import { ConfigError } from '../../config/ConfigError.js'
import { originOf } from '../../keys/provisionApiKey.js'
import { createVeniceClient } from '../../venice/createVeniceClient.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { loadAccountFromEnv } from '../../runtime/openWallet.js'
import { CLIError } from '../CLIError.js'
import { openKeyStoreFromEnv } from '../keysContext.js'
import { jsonArg, printJson, withSpinner } from '../output.js'

/**
 * A Venice client authenticated with a kept key of the configured wallet on this API: the ADMIN key if kept,
 * else any kept INFERENCE key. The key itself is never printed.
 */
async function characterClient(env: Env) {
  const baseURL = resolveVeniceBaseUrl(env)
  const store = await openKeyStoreFromEnv(env)
  const account = await loadAccountFromEnv(env)
  const scope = { wallet: account.address, apiOrigin: originOf(baseURL) }
  const mine = store.keys().filter((k) => k.wallet === scope.wallet && k.apiOrigin === scope.apiOrigin)
  const key = mine.filter((k) => k.apiKeyType === 'ADMIN').at(-1) ?? mine.filter((k) => k.apiKeyType === 'INFERENCE').at(-1)
  if (!key) {
    throw new ConfigError(`No Venice key of wallet ${account.address} for ${scope.apiOrigin} in the key store.`, {
      metaMessages: ['Mint one: gondola provision (or gondola keys mint).'],
      code: 'CHARACTERS_NO_KEY',
    })
  }
  return createVeniceClient({ baseURL, apiKey: store.reveal(key.id), maxRetries: 2 })
}

const list = defineCommand({
  meta: { name: 'list', description: 'List Venice characters (GET /characters)' },
  args: {
    search: { type: 'string', description: 'Only characters matching this text' },
    limit: { type: 'string', description: 'At most this many (1-100)' },
    ...jsonArg,
  },
  async run({ args }) {
    const limit = args.limit === undefined ? undefined : Number(args.limit)
    if (limit !== undefined && (!/^\d+$/.test(args.limit!) || limit < 1 || limit > 100))
      throw new CLIError(`--limit must be a whole number from 1 to 100, got "${args.limit}".`, { code: 'CLI_BAD_NUMBER' })
    const venice = await characterClient(readEnv())
    const characters = await withSpinner('Listing characters', () => venice.listCharacters({ limit, search: args.search }), { json: args.json })
    if (args.json) printJson({ characters })
    else
      process.stdout.write(
        characters.length ? `${characters.map((c) => `${c.slug.padEnd(24)} ${c.name.padEnd(20)} ${c.modelId ?? '-'}`).join('\n')}\n` : 'No characters.\n',
      )
  },
})

const show = defineCommand({
  meta: { name: 'show', description: 'Show one Venice character (GET /characters/{slug})' },
  args: { slug: { type: 'positional', description: 'The character slug, e.g. alan-watts', required: true }, ...jsonArg },
  async run({ args }) {
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(args.slug)) throw new CLIError(`<slug> must be letters, digits and dashes, got "${args.slug}".`, { code: 'CLI_BAD_FLAG' })
    const venice = await characterClient(readEnv())
    const character = await withSpinner(`Fetching ${args.slug}`, () => venice.getCharacter(args.slug), { json: args.json })
    if (args.json) printJson({ character })
    else
      process.stdout.write(
        `${Object.entries(character)
          .map(([k, v]) => `${k.padEnd(12)} ${Array.isArray(v) ? v.join(', ') : String(v ?? '-')}`)
          .join('\n')}\n`,
      )
  },
})

/** `gondola characters list|show <slug>`: Venice's public characters, with a kept key of the configured wallet. */
export default defineCommand({
  meta: { name: 'characters', description: 'Venice characters (list, show)' },
  subCommands: { list, show },
})
