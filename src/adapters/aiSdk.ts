import type { Tool as AiSdkTool } from 'ai'
import type { AnyTool } from '../tools/defineTool.js'
import { describeError } from '../tools/runToolCall.js'

/**
 * Gondola tools (`defineTool`: built-in or your own) as Vercel AI SDK tools (`ai` v6, which runs on Node 20): the
 * same zod schema is the tool's `inputSchema`, and the handler is its `execute`. As in Gondola's own loop, a
 * handler error — a policy refusal, a bad amount — goes back to the model as text it can act on, never a stack.
 *
 * Plain objects rather than the SDK's `tool()` helper (an identity function), so that `ai` stays an optional peer:
 * this file imports only its types.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from 'ai'
 * const { text } = await generateText({ model, tools: toAiSdkTools([add, walletBalancesTool({ getBalances })]), stopWhen: stepCountIs(5), prompt: 'Call add with a=2 and b=3.' })
 * ```
 */
export function toAiSdkTools(tools: readonly AnyTool[], o: { agent?: string | undefined } = {}): Record<string, AiSdkTool> {
  const agent = o.agent ?? 'ai-sdk'
  return Object.fromEntries(
    tools.map((t): [string, AiSdkTool] => [
      t.name,
      {
        description: t.description,
        inputSchema: t.schema,
        execute: async (args: unknown, options: { abortSignal?: AbortSignal | undefined }) => {
          try {
            return await t.handler(t.schema.parse(args), { agent, signal: options.abortSignal })
          } catch (err) {
            if (options.abortSignal?.aborted) throw err
            return `Error: ${t.name} failed: ${describeError(err)}`
          }
        },
      } as AiSdkTool,
    ]),
  )
}
