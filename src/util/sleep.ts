/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. The abort listener is removed
 * when the timer fires, so a long-lived signal (a scheduler's stop signal, shared by every run and every retry)
 * never collects one listener per wait (issue #26: `MaxListenersExceededWarning`).
 *
 * @example
 * ```ts
 * await sleep(500)                       // half a second
 * await sleep(60_000, controller.signal) // rejects with the reason when `controller.abort()` is called
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * A signal that aborts when `parent` does, for one piece of work, and stops following `parent` at `release()`.
 * Pass it (not the long-lived parent) to code that adds an abort listener and never removes it (the openai SDK
 * does this on every request): those listeners then die with the child instead of piling up on the parent.
 *
 * @example
 * ```ts
 * const scope = abortScope(stop.signal)
 * try { await openai.chat.completions.create(params, { signal: scope.signal }) } finally { scope.release() }
 * ```
 */
export function abortScope(parent: AbortSignal | undefined): { signal: AbortSignal | undefined; release: () => void } {
  if (!parent) return { signal: undefined, release: () => {} }
  const child = new AbortController()
  if (parent.aborted) {
    child.abort(parent.reason)
    return { signal: child.signal, release: () => {} }
  }
  const onAbort = (): void => child.abort(parent.reason)
  parent.addEventListener('abort', onAbort, { once: true })
  return { signal: child.signal, release: () => parent.removeEventListener('abort', onAbort) }
}
