import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { AnyTool } from '../tools/defineTool.js'
import { describeError, publicText } from '../util/publicError.js'
import { TOOL_ANNOTATIONS } from './annotations.js'
import { createMcpContext, type McpContext, type McpServerOptions } from './context.js'
import { describeChange } from './planDiff.js'
import { mcpTools } from './mcpTools.js'
import { PlanChangedError } from './plans.js'
import { keyView, scopedKeys } from './tools/keyTools.js'
import { PLAN_RESULT, planView, type PlanView } from './tools/moneyTools.js'
import type { MediaBlock } from './tools/veniceTools.js'
import { ledgerView, runway, x402Credits } from './tools/walletTools.js'
import { getBalances } from '../wallet/actions/getBalances.js'
import { presentable } from '../util/presentable.js'
import { traceMcpToolCall } from '../telemetry/record.js'

/** Version reported to MCP clients. */
export const MCP_SERVER_VERSION = '0.1.0'

export { mcpTools }

/**
 * Gondola as an MCP server (official `@modelcontextprotocol/sdk`): the wallet, keys, Venice and ledger tools,
 * status/ledger/keys/characters resources, and one prompt per Venice character. Money tools only plan; with a
 * client that supports elicitation the user confirms in the client, otherwise the caller confirms with
 * `confirm_plan`. Errors are tool errors with the CLI's one-line message; no secret reaches a result.
 *
 * @example
 * ```ts
 * const { server } = await createMcpServer({ wallet, store, baseURL, ledgerPath })
 * await server.connect(new StdioServerTransport())
 * ```
 */
export async function createMcpServer(options: McpServerOptions & { characters?: boolean | undefined }) {
  const ctx = createMcpContext(options)
  const server = new McpServer({ name: 'gondola', version: MCP_SERVER_VERSION }, { capabilities: { logging: {} } })
  for (const tool of mcpTools(ctx)) registerTool(server, ctx, tool)
  registerResources(server, ctx)
  if (options.characters !== false) await registerCharacterPrompts(server, ctx)
  return { server, ctx }
}

/** Serves one `defineTool` tool over MCP: zod shape in, text (+ image/audio blocks) out, errors as tool errors. */
export function registerTool(server: McpServer, ctx: McpContext, tool: AnyTool): void {
  const annotations = TOOL_ANNOTATIONS[tool.name]
  if (!annotations) throw new Error(`registerTool: "${tool.name}" has no entry in TOOL_ANNOTATIONS (read-only or destructive?)`)
  server.registerTool(
    tool.name,
    { description: tool.description, inputSchema: tool.schema.shape, annotations },
    async (args: unknown, extra: { signal: AbortSignal }) => {
      try {
        const result = await traceMcpToolCall(ctx.agent, tool.name, async () => tool.handler(args as never, { agent: ctx.agent, signal: extra.signal }))
        if (isPlan(result) && canElicit(server)) return await confirmByElicitation(server, ctx, result)
        return toCallToolResult(result)
      } catch (err) {
        return toolError(err)
      }
    },
  )
}

/** An error as an MCP tool error: one line from the one error boundary (`publicError.ts`), secrets removed. */
export function toolError(err: unknown): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: describeError(err) }] }
}

function toCallToolResult(result: unknown): CallToolResult {
  const { media, rest } = splitMedia(result)
  const text = typeof rest === 'string' ? rest : JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  return {
    content: [
      { type: 'text', text: safeText(text ?? 'OK') },
      ...media.map((m) =>
        m.type === 'image' ? { type: 'image' as const, data: m.data, mimeType: m.mimeType } : { type: 'audio' as const, data: m.data, mimeType: m.mimeType },
      ),
    ],
  }
}

function splitMedia(result: unknown): { media: MediaBlock[]; rest: unknown } {
  if (result && typeof result === 'object' && 'media' in result && Array.isArray((result as { media: unknown }).media)) {
    const { media, ...rest } = result as { media: MediaBlock[] }
    return { media, rest }
  }
  return { media: [], rest: result }
}

/** Secrets never leave in a result: the one boundary's redaction (bearer tokens, keys, URL credentials). */
const safeText = publicText

function isPlan(result: unknown): result is PlanView {
  return !!result && typeof result === 'object' && PLAN_RESULT in result
}

function canElicit(server: McpServer): boolean {
  return !!server.server.getClientCapabilities()?.elicitation
}

/** Elicitation rounds after which a plan that keeps changing is handed back for `confirm_plan`. */
const MAX_ASKS = 3

/**
 * Asks the user (in the client) to confirm a plan; sends it only on an explicit yes. When the transactions changed
 * by the time of the yes (the market moved), nothing is sent and the user is asked again, shown what changed.
 */
async function confirmByElicitation(server: McpServer, ctx: McpContext, plan: PlanView, asked = 1): Promise<CallToolResult> {
  const changed = plan.changes?.length ? `\nChanged since you were last asked: ${plan.changes.map(describeChange).join('; ')}` : ''
  const answer = await server.server.elicitInput({
    message: `Send ${plan.transactions.length} transaction(s) from ${ctx.address}?\n${plan.transactions.map((t) => `• ${t}`).join('\n')}${changed}`,
    requestedSchema: {
      type: 'object',
      properties: { confirm: { type: 'boolean', title: 'Send these transactions', description: 'Yes sends them now, exactly as listed.' } },
      required: ['confirm'],
    },
  })
  if (answer.action !== 'accept' || answer.content?.confirm !== true) {
    // A "no" ends the plan: it is discarded here, so confirm_plan with its id is refused from now on.
    ctx.plans.discard(plan.planId)
    const said = answer.action === 'accept' ? 'no' : answer.action
    return toCallToolResult({
      sent: false,
      summary: plan.summary,
      reason: `The user answered ${said}; nothing was sent, and the plan is withdrawn (it cannot be confirmed later).`,
    })
  }
  try {
    const { result } = await ctx.plans.confirm(plan.planId)
    return toCallToolResult({ sent: true, planId: plan.planId, summary: plan.summary, result })
  } catch (err) {
    if (!(err instanceof PlanChangedError && err.next)) return toolError(err)
    const next = planView(err.next, err.changes)
    if (asked < MAX_ASKS) return confirmByElicitation(server, ctx, next, asked + 1)
    return toCallToolResult({ sent: false, reason: err.shortMessage, ...next })
  }
}

function json(uri: string, value: unknown) {
  return {
    contents: [{ uri, mimeType: 'application/json', text: safeText(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) }],
  }
}

/** A resource read whose failure leaves through the one boundary (never the raw error, which may quote a URL key). */
function guarded<T>(read: (uri: URL) => Promise<T>): (uri: URL) => Promise<T> {
  return async (uri) => {
    try {
      return await read(uri)
    } catch (err) {
      throw new McpError(ErrorCode.InternalError, describeError(err))
    }
  }
}

/** A read that reports its failure in place: `{ ok: false, error }` with the boundary's one line. */
async function reported<T>(read: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await read() }
  } catch (err) {
    return { ok: false, error: describeError(err) }
  }
}

function registerResources(server: McpServer, ctx: McpContext): void {
  const mine = () => scopedKeys(ctx)
  server.registerResource(
    'status',
    'gondola://status',
    {
      description: 'Wallet balances (or the chain RPC outage), Venice balance and runway (with --pay x402: the x402 credits), kept keys, pending plans.',
      mimeType: 'application/json',
    },
    guarded(async (uri) => {
      const [balances, run, credits] = await Promise.all([
        reported(async () => presentable(await getBalances(await ctx.wallet()))),
        runway(ctx).catch((e: unknown) => ({ error: describeError(e) })),
        ctx.pay === 'x402' ? reported(() => x402Credits(ctx)) : undefined,
      ])
      return json(uri.href, {
        wallet: ctx.address,
        rpc: balances.ok ? { ok: true } : { ok: false, error: balances.error },
        balances: balances.ok ? balances.value : null,
        venice: run,
        pay: ctx.pay,
        ...(credits && { x402Credits: credits.ok ? credits.value : { error: credits.error } }),
        keys: mine().length,
        pendingPlans: ctx.plans.pending().map((p) => ({ planId: p.id, summary: p.summary, expiresAt: new Date(p.expiresAt).toISOString() })),
      })
    }),
  )
  server.registerResource(
    'ledger',
    'gondola://ledger',
    { description: 'The spend ledger: totals and the latest 50 model calls.', mimeType: 'application/json' },
    guarded(async (uri) => json(uri.href, await ledgerView(ctx, undefined, 50))),
  )
  server.registerResource(
    'keys',
    'gondola://keys',
    { description: 'Kept keys, redacted.', mimeType: 'application/json' },
    guarded(async (uri) => json(uri.href, mine().map(keyView))),
  )
  server.registerResource(
    'characters',
    'gondola://characters',
    { description: 'Venice characters (slug, name, description, model).', mimeType: 'application/json' },
    guarded(async (uri) =>
      json(
        uri.href,
        (await (await ctx.inference()).listCharacters()).map((c) => ({
          slug: c.slug,
          name: c.name,
          description: c.description ?? null,
          modelId: c.modelId ?? null,
        })),
      ),
    ),
  )
}

/** One prompt per Venice character: it asks the client's model to talk to that character through `venice_chat`. */
async function registerCharacterPrompts(server: McpServer, ctx: McpContext): Promise<void> {
  let characters: Awaited<ReturnType<Awaited<ReturnType<McpContext['inference']>>['listCharacters']>> = []
  try {
    characters = await (await ctx.inference()).listCharacters()
  } catch {
    return // no key or no API yet: the server still serves everything else
  }
  for (const c of characters) {
    const name = `character_${c.slug}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64)
    server.registerPrompt(
      name,
      {
        description: `Talk to the Venice character "${c.name}"${c.description ? `: ${c.description.slice(0, 200)}` : ''}`,
        argsSchema: { message: z.string().describe('What to say to the character.') },
      },
      ({ message }) => ({
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: `Call the venice_chat tool with characterSlug "${c.slug}" and this prompt, then relay the character's answer:\n\n${message}`,
            },
          },
        ],
      }),
    )
  }
}
