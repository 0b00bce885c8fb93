/** Longest SSE event read for usage (characters); longer ones pass through unread. */
const MAX_EVENT_CHARS = 1 << 20

/** What a chat-completions stream reported about itself once it ended. */
export type StreamUsage = { id: string | undefined; model: string | undefined; promptTokens: number; completionTokens: number }

/**
 * Passes an SSE chat-completions body through unchanged while reading the usage Venice sends in its last
 * chunk (`stream_options.include_usage`). When `hideUsageChunk` is set (the caller did not ask for usage and
 * Gondola added the option to charge the call), that usage-only chunk (empty `choices`) is dropped, so the
 * client sees exactly the stream it asked for. `onEnd` runs once the body is fully read, with the usage if
 * any came.
 *
 * Hand-written rather than an SSE parser library: those re-serialise events, and this must forward the
 * server's bytes untouched; it only needs to find event boundaries (a blank line) and read `data:` JSON.
 *
 * @example
 * ```ts
 * const body = meterStream(res.body!, { hideUsageChunk: true, onEnd: (u) => u && charge(u) })
 * return new Response(body, { status: res.status, headers: res.headers })
 * ```
 */
export function meterStream(
  body: ReadableStream<Uint8Array>,
  o: { hideUsageChunk: boolean; onEnd: (usage: StreamUsage | undefined) => void },
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let pending = ''
  let usage: StreamUsage | undefined
  let id: string | undefined
  let model: string | undefined

  /** Reads one event; returns false when it must not reach the client. */
  const inspect = (event: string): boolean => {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n')
    if (!data.startsWith('{')) return true
    let chunk: { id?: unknown; model?: unknown; choices?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null }
    try {
      chunk = JSON.parse(data) as typeof chunk
    } catch {
      return true
    }
    if (typeof chunk.id === 'string') id = chunk.id
    if (typeof chunk.model === 'string') model = chunk.model
    if (!chunk.usage) return true
    usage = { id, model, promptTokens: Number(chunk.usage.prompt_tokens) || 0, completionTokens: Number(chunk.usage.completion_tokens) || 0 }
    return !(o.hideUsageChunk && Array.isArray(chunk.choices) && chunk.choices.length === 0)
  }

  const drain = (controller: ReadableStreamDefaultController<Uint8Array>, final: boolean): boolean => {
    const parts = pending.split(/(?<=\r?\n\r?\n)/)
    pending = final ? '' : (parts.pop() ?? '')
    // A server that never ends an event must not make this buffer grow without bound: past the cap the partial
    // event goes to the client as it is (uninspected; a usage chunk is never that large).
    if (pending.length > MAX_EVENT_CHARS) {
      parts.push(pending)
      pending = ''
    }
    let out = ''
    for (const event of parts) if (event && inspect(event)) out += event
    if (out) controller.enqueue(encoder.encode(out))
    return out.length > 0
  }

  let ended = false
  const end = (): void => {
    if (ended) return
    ended = true
    o.onEnd(usage)
  }
  // A pull stream rather than a TransformStream: a transformer is not told when the client cancels, and a
  // cancelled stream must still be charged for what came.
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    // Reads until at least one whole event was passed on: a pull that enqueues nothing is not called again, so
    // returning after a chunk holding only part of an event (usual when a server streams token by token) would stall.
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) {
          pending += decoder.decode()
          drain(controller, true)
          controller.close()
          end()
          return
        }
        pending += decoder.decode(value, { stream: true })
        if (drain(controller, false)) return
      }
    },
    async cancel(reason) {
      end()
      await reader.cancel(reason)
    },
  })
}
