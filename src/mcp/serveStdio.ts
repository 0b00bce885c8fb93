import { Writable } from 'node:stream'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'

/**
 * Serves the server `createServer` builds over stdio until the client disconnects (stdin ends or the server closes)
 * or `io.signal` aborts (the CLI's first SIGINT/SIGTERM), with stdout kept for
 * MCP frames alone (see `guardStdout`). Resolves after the server is closed, so the caller's `finally` (the CLI's
 * telemetry shutdown) runs and flushes spans not yet exported: without the stdin `end` handler, the SDK's transport
 * never closed, Node simply ran out of work and exited, and those spans were lost.
 *
 * @example
 * ```ts
 * await serveMcpStdio(async () => (await createMcpServer(options)).server) // returns when the client hangs up
 * ```
 */
export async function serveMcpStdio(
  createServer: () => Promise<McpServer>,
  io: { stdin?: NodeJS.ReadStream; stdout?: NodeJS.WriteStream; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const stdin = io.stdin ?? process.stdin
  // Guarded before the server is built: nothing printed while it starts can reach the client either.
  const guard = guardStdout(io.stdout ?? process.stdout)
  try {
    const server = await createServer()
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = resolve
    })
    await server.connect(new StdioServerTransport(stdin, guard.frames))
    const hangUp = () => void server.close()
    stdin.once('end', hangUp)
    stdin.once('close', hangUp)
    // Stop when told: the first signal closes the server after the tool calls in hand.
    io.signal?.addEventListener('abort', hangUp, { once: true })
    if (io.signal?.aborted) hangUp()
    await closed
    stdin.off('end', hangUp)
    stdin.off('close', hangUp)
    io.signal?.removeEventListener('abort', hangUp)
  } finally {
    guard.restore()
  }
}

/**
 * Reserves a stdout for one writer. From now on every other write to `stdout` — `console.log/info/debug/dir`, a
 * library's `process.stdout.write`, a console span exporter — goes to stderr instead, and only the returned
 * `frames` stream reaches the real stdout. A structural guard: nothing has to remember not to print.
 *
 * @example
 * ```ts
 * const guard = guardStdout()
 * await server.connect(new StdioServerTransport(process.stdin, guard.frames))
 * console.log('hi') // → stderr
 * guard.restore()
 * ```
 */
export function guardStdout(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): { frames: Writable; restore: () => void } {
  const own = Object.getOwnPropertyDescriptor(stdout, 'write')
  const realWrite = stdout.write.bind(stdout) as (chunk: string | Uint8Array, cb?: (err?: Error | null) => void) => boolean
  // The global console writes through `stdout.write`, so replacing it covers console.* too.
  stdout.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void) =>
    typeof encoding === 'function' ? stderr.write(chunk, encoding) : stderr.write(chunk, encoding as BufferEncoding, cb)) as typeof stdout.write
  const frames = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (realWrite(chunk)) done()
      else stdout.once('drain', () => done())
    },
  })
  return {
    frames,
    restore: () => {
      if (own) Object.defineProperty(stdout, 'write', own)
      else delete (stdout as { write?: unknown }).write
    },
  }
}
