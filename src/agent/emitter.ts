/**
 * A tiny typed event emitter (no Node `EventEmitter` typing gymnastics, no async surprises).
 *
 * @example
 * ```ts
 * const e = createEmitter<{ low: { runwayMs: number } }>()
 * const off = e.on('low', ({ runwayMs }) => console.log(runwayMs))
 * e.emit('low', { runwayMs: 1000 }); off()
 * ```
 */
export function createEmitter<Events extends Record<string, unknown>>() {
  const handlers = new Map<keyof Events, Set<(payload: never) => void>>()
  return {
    on<K extends keyof Events>(event: K, fn: (payload: Events[K]) => void): () => void {
      let set = handlers.get(event)
      if (!set) handlers.set(event, (set = new Set()))
      set.add(fn as (payload: never) => void)
      return () => set.delete(fn as (payload: never) => void)
    },
    emit<K extends keyof Events>(event: K, payload: Events[K]): void {
      for (const fn of handlers.get(event) ?? []) {
        try {
          ;(fn as (p: Events[K]) => void)(payload)
        } catch {
          // A listener's failure must not break the loop that emitted.
        }
      }
    },
  }
}
