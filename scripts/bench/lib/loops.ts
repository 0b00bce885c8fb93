/**
 * The two loops the agent bench compares: Gondola's runner, and the same conversation written with
 * nothing but the `openai` SDK. Shared by the in-process rows (`agent.ts`) and the loop child
 * (`loopChild.ts`), so both measure exactly the same code.
 */
import OpenAI from 'openai'
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import { z } from 'zod'
import { defineTool, toOpenAITool } from '../../../src/tools/index.js'

export const MODEL = 'qwen3-4b'
export const PROMPT = 'Please call add with 2 and 3'

export const add = defineTool({
  name: 'add',
  description: 'Adds two numbers and returns their sum.',
  schema: z.object({ a: z.number().describe('First addend'), b: z.number().describe('Second addend') }),
  handler: ({ a, b }) => ({ sum: a + b }),
})
const addTools = [toOpenAITool(add)]

/** The same conversation with nothing but the SDK: create, run the tool, create again. Keeps its messages, as a user would. */
export async function bareRun(
  openai: OpenAI,
  prompt: string,
  tools: boolean,
  maxSteps = 10,
): Promise<{ steps: number; messages: ChatCompletionMessageParam[]; output: string | null }> {
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: prompt }]
  for (let step = 1; ; step++) {
    const c = await openai.chat.completions.create({ model: MODEL, messages, ...(tools ? { tools: addTools, parallel_tool_calls: true } : {}) })
    const msg = c.choices[0]!.message
    messages.push(msg)
    if (!msg.tool_calls?.length || step >= maxSteps) return { steps: step, messages, output: msg.content }
    for (const call of msg.tool_calls) {
      if (call.type !== 'function') continue
      const args = JSON.parse(call.function.arguments) as { a: number; b: number }
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ sum: args.a + args.b }) })
    }
  }
}
