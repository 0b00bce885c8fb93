/**
 * One terminal, two writers: a spinner redraws its line many times a second, and a password prompt waits on the
 * same line. A prompt runs inside `whilePrompting`; whoever draws on the terminal (the CLI's spinner) listens
 * with `onPrompt` and steps aside until the prompt is answered.
 */
type Listener = (prompting: boolean) => void
const listeners = new Set<Listener>()

/**
 * Runs `ask` (an interactive prompt), telling the listeners before and after.
 *
 * @example
 * ```ts
 * const password = await whilePrompting(() => askPassword())
 * ```
 */
export async function whilePrompting<T>(ask: () => Promise<T>): Promise<T> {
  for (const l of listeners) l(true)
  try {
    return await ask()
  } finally {
    for (const l of listeners) l(false)
  }
}

/**
 * Listens for prompts; returns the function that stops listening.
 *
 * @example
 * ```ts
 * const off = onPrompt((prompting) => (prompting ? spinner.stop() : spinner.start()))
 * ```
 */
export function onPrompt(listener: Listener): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}
