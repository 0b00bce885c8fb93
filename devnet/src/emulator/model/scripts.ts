/**
 * Scripted mode: exact responses queued per API key, served in order before the local model.
 */
import { hashKey } from '../state/keyStore.js'

/** One queued response: text, tool calls, or an HTTP error. */
export type ScriptedResponse = {
  content?: string
  reasoning_content?: string
  tool_calls?: Array<{ name: string; arguments: Record<string, unknown> | string; id?: string }>
  finish_reason?: 'stop' | 'length' | 'tool_calls'
  /** Answer with this HTTP status and `{ error }` instead of a completion. */
  status?: number
  error?: string
}

export type ScriptStore = ReturnType<typeof createScriptStore>

/**
 * @example
 * ```ts
 * const scripts = createScriptStore()
 * scripts.push(apiKey, [{ content: 'hello' }, { tool_calls: [{ name: 'get_balance', arguments: {} }] }])
 * scripts.shift(apiKeyRecord.hash) // { content: 'hello' }
 * ```
 */
export function createScriptStore() {
  const queues = new Map<string, ScriptedResponse[]>()
  return {
    /** `apiKey` is an API key, or for SIWX callers the wallet address (any case). */
    push(apiKey: string, responses: ScriptedResponse[]): number {
      const h = hashKey(/^0x[0-9a-fA-F]{40}$/.test(apiKey) ? apiKey.toLowerCase() : apiKey)
      const q = queues.get(h) ?? []
      q.push(...responses)
      queues.set(h, q)
      return q.length
    },
    /** Next response for the key with this hash, if any. */
    shift(keyHash: string): ScriptedResponse | undefined {
      const q = queues.get(keyHash)
      return q?.shift()
    },
    clear: () => queues.clear(),
  }
}
