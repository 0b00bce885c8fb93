import { z } from 'zod'
import { BaseError } from '../../errors/BaseError.js'
import { ExitCode } from '../../errors/exitCodes.js'
import { provisionApiKey } from '../../keys/provisionApiKey.js'
import { revokeApiKey } from '../../keys/revokeApiKey.js'
import { defineTool, type AnyTool } from '../../tools/defineTool.js'
import type { McpContext, McpKeyPolicy } from '../context.js'

/** A caller asked for something the server never does with keys (e.g. revoke its ADMIN key). Nothing was sent. */
export class KeyToolRefusedError extends BaseError {
  override name = 'KeyToolRefusedError' as const
  override exitCode = ExitCode.policy
}

/**
 * The kept keys of the server's wallet and API origin (a shared key store may hold other wallets' keys).
 *
 * @example
 * ```ts
 * scopedKeys(ctx).map(keyView) // what `list_keys` and `gondola://keys` show
 * ```
 */
export function scopedKeys(ctx: McpContext) {
  return ctx.store.summaries().filter((k) => k.wallet === ctx.scope.wallet && k.apiOrigin === ctx.scope.apiOrigin)
}

/**
 * A kept key as MCP shows it: redacted, never its secret.
 *
 * @example
 * ```ts
 * keyView(summary) // { id, type: 'INFERENCE', agent: 'bot01', key: 'vn-…4f2a', … }
 * ```
 */
export function keyView(k: ReturnType<typeof scopedKeys>[number]) {
  return {
    id: k.id,
    type: k.apiKeyType,
    agent: k.agent ?? null,
    key: k.redacted,
    consumptionLimit: k.consumptionLimit,
    limitPeriod: k.limitPeriod ?? null,
    expiresAt: k.expiresAt,
    createdAt: k.createdAt,
  }
}

/**
 * Key tools: `mint_inference_key`, `list_keys`, `revoke_key`. Only limited INFERENCE keys are minted; the
 * ADMIN key never leaves the server, and a minted key is returned only when the caller asks (`reveal`).
 *
 * @example
 * ```ts
 * const tools = keyTools(ctx) // mint_inference_key { agent: 'bot01', diem: 0.5 }
 * ```
 */
export function keyTools(ctx: McpContext): AnyTool[] {
  const summaries = () => scopedKeys(ctx)
  const view = keyView
  return [
    defineTool({
      name: 'mint_inference_key',
      description:
        "Mints a new Venice INFERENCE key for an agent, signed by the wallet, with a Diem consumption limit per period. The key is kept in the server's key store; its secret is returned only with reveal: true, and shown once.",
      schema: z.object({
        agent: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'letters, digits, "-" or "_" (1–40)')
          .describe('The agent the key is for, e.g. "bot01".'),
        diem: z.number().positive().max(1_000_000).describe("Diem the key may spend per period, e.g. 0.5 (at most the server's per-key maximum)."),
        period: z
          .enum(['EPOCH', 'MONTH', 'LIFETIME'])
          .optional()
          .describe("Limit period: EPOCH (daily, default), MONTH or LIFETIME, if the server's policy allows it."),
        expiresInDays: z.number().int().min(1).max(3650).optional().describe('Days until the key expires (default: never).'),
        reveal: z.boolean().optional().describe('Return the key secret in this answer (it is shown once). Default false: only a redacted hint.'),
      }),
      handler: async ({ agent, diem, period, expiresInDays, reveal }) => {
        assertKeyPolicy(ctx.keyPolicy, diem, period ?? 'EPOCH')
        const expiresAt = expiresInDays ? new Date(ctx.now() + expiresInDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z') : undefined
        const minted = await provisionApiKey({
          signer: (await ctx.wallet()).signer,
          baseURL: ctx.baseURL,
          store: ctx.store,
          fetch: ctx.fetch,
          now: ctx.now,
          agent,
          apiKeyType: 'INFERENCE',
          description: `agent ${agent}`.slice(0, 40),
          consumptionLimit: { diem },
          limitPeriod: period ?? 'EPOCH',
          ...(expiresAt ? { expiresAt } : {}),
        })
        return {
          minted: {
            id: minted.key.id,
            agent,
            key: minted.key.redacted,
            consumptionLimit: minted.key.consumptionLimit,
            limitPeriod: minted.key.limitPeriod ?? 'EPOCH',
            expiresAt: minted.key.expiresAt,
            verified: minted.verified,
          },
          ...(reveal
            ? { apiKey: minted.reveal(), notice: 'This is the only time the key is shown: store it now (e.g. in a secret manager).' }
            : { notice: 'The secret was not revealed; ask again with reveal: true on a new key if a client needs it.' }),
        }
      },
    }),
    defineTool({
      name: 'list_keys',
      description: 'The keys this server keeps for its wallet (ADMIN and INFERENCE), redacted: id, type, agent, limit, period, expiry.',
      schema: z.object({}),
      handler: () => ({ keys: summaries().map(view) }),
    }),
    defineTool({
      name: 'revoke_key',
      description: 'Revokes an INFERENCE key on Venice and forgets it. The ADMIN key cannot be revoked from here.',
      schema: z.object({ id: z.string().min(1).max(100).describe('The key id, from list_keys.') }),
      handler: async ({ id }) => {
        const key = ctx.store.find(id)
        if (key?.apiKeyType === 'ADMIN')
          throw new KeyToolRefusedError('The ADMIN key cannot be revoked through MCP.', {
            metaMessages: ['Use `gondola keys revoke` on the server.'],
            code: 'MCP_ADMIN_KEY',
          })
        const r = await revokeApiKey({ store: ctx.store, baseURL: ctx.baseURL, id, fetch: ctx.fetch })
        return { revoked: r.id }
      },
    }),
  ]
}

/**
 * The server's limits on a key minted through MCP: at most `maxDiem` per period, and only the allowed periods.
 *
 * @throws {KeyToolRefusedError} (nothing is minted).
 *
 * @example
 * ```ts
 * assertKeyPolicy({ maxDiem: 5, periods: ['EPOCH'] }, 1_000_000, 'LIFETIME') // throws
 * ```
 */
export function assertKeyPolicy(policy: McpKeyPolicy, diem: number, period: McpKeyPolicy['periods'][number]): void {
  if (!policy.periods.includes(period)) {
    throw new KeyToolRefusedError(`A ${period} limit is not allowed for keys minted here (allowed: ${policy.periods.join(', ')}); nothing was minted.`, {
      metaMessages: ['Ask for an allowed period, or set GONDOLA_MCP_KEY_PERIODS on the server.'],
      code: 'MCP_KEY_PERIOD',
    })
  }
  if (diem > policy.maxDiem) {
    throw new KeyToolRefusedError(`${diem} Diem per period is over this server's limit of ${policy.maxDiem} Diem per key; nothing was minted.`, {
      metaMessages: [`Ask for at most ${policy.maxDiem} Diem, or raise GONDOLA_MCP_MAX_KEY_DIEM on the server.`],
      code: 'MCP_KEY_OVER_LIMIT',
    })
  }
}
