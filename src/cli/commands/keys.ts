import { ExitCode } from '../../errors/exitCodes.js'
import { defineCommand } from 'citty'
import { readEnv } from '../../config/env.js'
import { ensureAgentKey } from '../../keys/ensureAgentKey.js'
import { provisionApiKey } from '../../keys/provisionApiKey.js'
import { revokeApiKey } from '../../keys/revokeApiKey.js'
import { rotateApiKey } from '../../keys/rotateApiKey.js'
import { KeyStoreError } from '../../keys/errors.js'
import { createApiClock } from '../../venice/apiClock.js'
import { resolveVeniceBaseUrl } from '../../runtime/resolveBaseUrl.js'
import { loadAccountFromEnv } from '../../runtime/openWallet.js'
import { CLIError } from '../CLIError.js'
import { enumFlag, futureDateFlag, keyLimitFlag, nameFlag } from '../flags.js'
import { keyLine, openKeyStoreFromEnv } from '../keysContext.js'
import { jsonArg, printJson, waitText, withSpinner } from '../output.js'

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
    // Every value is checked before the wallet is opened or anything is sent.
    const apiKeyType = enumFlag(args.type, '--type', ['INFERENCE', 'ADMIN']) ?? 'INFERENCE'
    const diem = keyLimitFlag(args.diem, '--diem')
    const usd = keyLimitFlag(args.usd, '--usd')
    const limitPeriod = enumFlag(args.period, '--period', ['EPOCH', 'MONTH', 'LIFETIME'])
    const expiresAt = futureDateFlag(args.expires, '--expires', Date.now())
    const agent = args.agent === undefined ? undefined : nameFlag(args.agent, '--agent')
    const description = args.description ?? (agent ? `agent ${agent}` : `gondola ${apiKeyType.toLowerCase()}`)
    if (description.trim() === '' || description.length > 40)
      throw new CLIError(`--description must be 1 to 40 characters, got ${description.length}.`, {
        metaMessages: ["Gondola appends a 22-character attempt tag within Venice's 64."],
        code: 'CLI_BAD_FLAG_VALUE',
      })
    if (apiKeyType === 'INFERENCE' && diem === undefined && usd === undefined)
      throw new CLIError('An INFERENCE key needs a limit: pass --diem or --usd.', {
        metaMessages: ['e.g. gondola keys mint --diem 0.5 (least privilege: agents never get an unlimited key by accident)'],
        code: 'CLI_MISSING_FLAG',
      })
    const consumptionLimit = diem !== undefined || usd !== undefined ? { ...(diem !== undefined && { diem }), ...(usd !== undefined && { usd }) } : undefined
    const env = readEnv()
    const store = await openKeyStoreFromEnv(env)
    const signer = await loadAccountFromEnv(env)
    const baseURL = resolveVeniceBaseUrl(env)
    const clock = createApiClock({ baseURL })
    if (args.agent !== undefined && apiKeyType === 'INFERENCE') {
      // An agent's key is idempotent: same limits → the kept key; other limits → rotate (mint new, then revoke old).
      if (!consumptionLimit) throw new CLIError('An agent key needs a limit: pass --diem or --usd.', { code: 'CLI_MISSING_ARG' })
      const r = await withSpinner(
        `Ensuring ${agent}'s key`,
        () =>
          ensureAgentKey({
            signer,
            baseURL,
            store,
            wallet: signer.address,
            fetch: clock.fetch,
            now: clock.now,
            sleep: clock.sleep,
            adminApiKey: env.VENICE_ADMIN_API_KEY,
            spec: { agent: agent!, consumptionLimit, limitPeriod, ...(expiresAt && { expiresAt }), ...(args.description !== undefined && { description }) },
          }),
        { json: args.json },
      )
      if (args.json) return printJson({ status: r.status, key: r.key, revoked: r.revoked, verified: r.verified })
      const what =
        r.status === 'kept'
          ? 'Kept (same agent and limits; nothing minted)'
          : r.status === 'rotated'
            ? 'Rotated (limits changed): minted and stored'
            : 'Minted and stored'
      process.stdout.write(`${what}: ${r.key ? keyLine(r.key) : ''}${r.revoked.length ? `\nRevoked ${r.revoked.join(', ')}` : ''}\n`)
      return
    }
    const result = await withSpinner(
      `Minting ${apiKeyType} key`,
      (update) =>
        provisionApiKey({
          onWait: (w) => update(waitText(w.what, w.ms), { reason: w.reason, waitMs: w.ms }),
          signer,
          baseURL: resolveVeniceBaseUrl(env),
          store,
          agent,
          adminApiKey: env.VENICE_ADMIN_API_KEY,
          apiKeyType,
          description,
          ...(consumptionLimit && { consumptionLimit }),
          ...(limitPeriod && { limitPeriod }),
          ...(expiresAt && { expiresAt }),
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
    const found = store.find(args.id)
    const key = found && store.summaries().find((k) => k.id === found.id)
    if (!key) throw new KeyStoreError(`No key ${args.id} in the key store.`, { metaMessages: ['See `gondola keys list`.'], exitCode: ExitCode.usage })
    if (args.json) printJson({ key })
    else
      process.stdout.write(
        `${Object.entries(key)
          .map(([k, v]) => `${k.padEnd(16)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join('\n')}\n`,
      )
  },
})

const revoke = defineCommand({
  meta: { name: 'revoke', description: 'Revoke a key on Venice and forget it (the ADMIN key only with --yes)' },
  args: {
    id: { type: 'positional', description: 'Key id or id prefix', required: true },
    yes: { type: 'boolean', description: 'Confirm revoking the ADMIN key', default: false },
    ...jsonArg,
  },
  async run({ args }) {
    const env = readEnv()
    const store = await openKeyStoreFromEnv(env)
    const key = store.find(args.id)
    // The ADMIN key is what manages every other key: revoking it is confirmed, and the operator told what breaks.
    if (key?.apiKeyType === 'ADMIN' && !args.yes)
      throw new CLIError(
        `${key.id.slice(0, 8)} is the ADMIN key of wallet ${key.wallet}: revoking it breaks key minting, rotation and revocation, \`gondola provision\`, the autopilot's allowance readings and every balance or usage read that needs it.`,
        {
          metaMessages: [`Pass --yes to revoke it anyway (\`gondola keys revoke ${args.id} --yes\`); \`gondola provision\` mints a new one.`],
          code: 'CLI_CONFIRM_ADMIN_REVOKE',
        },
      )
    const result = await withSpinner('Revoking', async () => revokeApiKey({ store, baseURL: resolveVeniceBaseUrl(env), id: args.id }), { json: args.json })
    if (args.json) printJson({ revoked: result.id, alreadyRevoked: result.alreadyGone })
    else process.stdout.write(`${result.alreadyGone ? 'Already revoked on Venice; forgot' : 'Revoked'} ${result.id}\n`)
  },
})

const rotate = defineCommand({
  meta: { name: 'rotate', description: 'Mint a replacement (same type, agent, limits), then revoke the old key' },
  args: {
    id: { type: 'positional', description: 'Key id or id prefix', required: true },
    diem: { type: 'string', description: 'New Diem limit (default: unchanged)' },
    ...jsonArg,
  },
  async run({ args }) {
    const diem = keyLimitFlag(args.diem, '--diem')
    const env = readEnv()
    const result = await withSpinner(
      'Rotating',
      async () =>
        rotateApiKey({
          store: await openKeyStoreFromEnv(env),
          baseURL: resolveVeniceBaseUrl(env),
          signer: await loadAccountFromEnv(env),
          id: args.id,
          ...(diem !== undefined && { overrides: { consumptionLimit: { diem } } }),
        }),
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
