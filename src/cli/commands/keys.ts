import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { ensureAgentKey } from '../../keys/ensureAgentKey.js'
import { provisionApiKey } from '../../keys/provisionApiKey.js'
import { revokeApiKey } from '../../keys/revokeApiKey.js'
import { rotateApiKey } from '../../keys/rotateApiKey.js'
import { KeyStoreError } from '../../keys/errors.js'
import { createApiClock } from '../../venice/apiClock.js'
import { resolveVeniceBaseUrl } from '../../venice/resolveBaseUrl.js'
import { loadAccountFromEnv } from '../../wallet/openWallet.js'
import { CLIError } from '../CLIError.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { jsonArg, printJson, withSpinner } from '../output.js'

function parseLimit(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new CLIError(`${flag} must be a non-negative number, got "${value}".`, { code: 'CLI_BAD_NUMBER' })
  return n
}

function parseEnum<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  const upper = value.toUpperCase() as T
  if (!allowed.includes(upper)) throw new CLIError(`${flag} must be one of ${allowed.join(', ')}, got "${value}".`, { code: 'CLI_BAD_FLAG' })
  return upper
}

const mint = defineCommand({
  meta: { name: 'mint', description: 'Mint a key from the wallet (web3 flow), store it, read it back' },
  args: {
    type: { type: 'string', description: 'INFERENCE (default) or ADMIN' },
    diem: { type: 'string', description: 'Diem consumption limit per period' },
    usd: { type: 'string', description: 'USD consumption limit per period' },
    period: { type: 'string', description: 'EPOCH (default), MONTH or LIFETIME' },
    expires: { type: 'string', description: 'Expiry date, YYYY-MM-DD or ISO date-time' },
    description: { type: 'string', description: 'Description (max 40 characters)' },
    agent: { type: 'string', description: 'The agent this key is for (idempotent: same limits keep its key, new limits rotate it)' },
    ...jsonArg,
  },
  async run({ args }) {
    const env = readEnv()
    const apiKeyType = parseEnum(args.type, '--type', ['INFERENCE', 'ADMIN'] as const) ?? 'INFERENCE'
    const diem = parseLimit(args.diem, '--diem')
    const usd = parseLimit(args.usd, '--usd')
    const consumptionLimit = diem !== undefined || usd !== undefined ? { ...(diem !== undefined && { diem }), ...(usd !== undefined && { usd }) } : undefined
    const store = await openKeyStoreFromEnv(env)
    const signer = await loadAccountFromEnv(env)
    const baseURL = resolveVeniceBaseUrl(env)
    const clock = createApiClock({ baseURL })
    const limitPeriod = args.period !== undefined ? parseEnum(args.period, '--period', ['EPOCH', 'MONTH', 'LIFETIME'] as const) : undefined
    if (args.agent !== undefined && apiKeyType === 'INFERENCE') {
      // An agent's key is idempotent: same limits → the kept key; other limits → rotate (mint new, then revoke old).
      if (!consumptionLimit) throw new CLIError('An agent key needs a limit: pass --diem or --usd.', { code: 'CLI_MISSING_ARG' })
      const r = await withSpinner(`Ensuring ${args.agent}'s key`, () =>
        ensureAgentKey({ signer, baseURL, store, wallet: signer.address, fetch: clock.fetch, now: clock.now, sleep: clock.sleep, adminApiKey: env.VENICE_ADMIN_API_KEY, spec: { agent: args.agent!, consumptionLimit, limitPeriod, ...(args.expires !== undefined && { expiresAt: args.expires }), ...(args.description !== undefined && { description: args.description }) } }),
        { json: args.json },
      )
      if (args.json) return printJson({ status: r.status, key: r.key, revoked: r.revoked, verified: r.verified })
      const what = r.status === 'kept' ? 'Kept (same agent and limits; nothing minted)' : r.status === 'rotated' ? 'Rotated (limits changed): minted and stored' : 'Minted and stored'
      process.stdout.write(`${what}: ${r.key ? keyLine(r.key) : ''}${r.revoked.length ? `\nRevoked ${r.revoked.join(', ')}` : ''}\n`)
      return
    }
    const result = await withSpinner(
      `Minting ${apiKeyType} key`,
      () =>
        provisionApiKey({
          signer,
          baseURL: resolveVeniceBaseUrl(env),
          store,
          agent: args.agent,
          adminApiKey: env.VENICE_ADMIN_API_KEY,
          apiKeyType,
          description: args.description ?? (args.agent ? `agent ${args.agent}` : `gondola ${apiKeyType.toLowerCase()}`),
          ...(consumptionLimit && { consumptionLimit }),
          ...(limitPeriod && { limitPeriod }),
          ...(args.expires !== undefined && { expiresAt: args.expires }),
        }),
      { json: args.json },
    )
    if (args.json) printJson({ status: 'minted', key: result.key, verified: result.verified, reconciled: result.reconciled })
    else process.stdout.write(`Minted and stored: ${keyLine(result.key)}${result.verified ? ' (read back: matches)' : ' (not read back: no ADMIN key kept)'}\n`)
  },
})

const list = defineCommand({
  meta: { name: 'list', description: 'List kept keys (secrets redacted)' },
  args: { ...jsonArg },
  async run({ args }) {
    const store = await openKeyStoreFromEnv(readEnv())
    const keys = store.summaries()
    if (args.json) printJson({ keys, pending: store.pendingAttempts() })
    else process.stdout.write(keys.length ? `${keys.map(keyLine).join('\n')}\n` : 'No keys kept. Mint one: gondola keys mint --type ADMIN\n')
  },
})

const show = defineCommand({
  meta: { name: 'show', description: 'Show one kept key (secret redacted)' },
  args: { id: { type: 'positional', description: 'Key id or id prefix', required: true }, ...jsonArg },
  async run({ args }) {
    const store = await openKeyStoreFromEnv(readEnv())
    const key = store.summaries().find((k) => k.id === args.id) ?? store.summaries().find((k) => k.id.startsWith(args.id))
    if (!key) throw new KeyStoreError(`No key ${args.id} in the key store.`, { metaMessages: ['See `gondola keys list`.'] })
    if (args.json) printJson({ key })
    else process.stdout.write(`${Object.entries(key).map(([k, v]) => `${k.padEnd(16)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`)
  },
})

const revoke = defineCommand({
  meta: { name: 'revoke', description: 'Revoke a key on Venice and forget it' },
  args: { id: { type: 'positional', description: 'Key id or id prefix', required: true }, ...jsonArg },
  async run({ args }) {
    const env = readEnv()
    const result = await withSpinner('Revoking', async () => revokeApiKey({ store: await openKeyStoreFromEnv(env), baseURL: resolveVeniceBaseUrl(env), id: args.id }), { json: args.json })
    if (args.json) printJson({ revoked: result.id })
    else process.stdout.write(`Revoked ${result.id}\n`)
  },
})

const rotate = defineCommand({
  meta: { name: 'rotate', description: 'Mint a replacement (same type, agent, limits), then revoke the old key' },
  args: { id: { type: 'positional', description: 'Key id or id prefix', required: true }, diem: { type: 'string', description: 'New Diem limit (default: unchanged)' }, ...jsonArg },
  async run({ args }) {
    const env = readEnv()
    const diem = parseLimit(args.diem, '--diem')
    const result = await withSpinner(
      'Rotating',
      async () =>
        rotateApiKey({ store: await openKeyStoreFromEnv(env), baseURL: resolveVeniceBaseUrl(env), signer: await loadAccountFromEnv(env), id: args.id, ...(diem !== undefined && { overrides: { consumptionLimit: { diem } } }) }),
      { json: args.json },
    )
    if (args.json) printJson({ key: result.key, revoked: result.revoked, verified: result.verified })
    else process.stdout.write(`New key: ${keyLine(result.key)}\nRevoked ${result.revoked}\n`)
  },
})

/** `gondola keys mint|list|show|revoke|rotate`. */
export default defineCommand({
  meta: { name: 'keys', description: 'Mint and manage Venice API keys bound to the wallet' },
  subCommands: { mint, list, show, revoke, rotate },
})
