import type { Server, Socket } from 'node:net'

/**
 * Counts sockets at a server: how many were opened, and the most open at once. Call `stop()` when done.
 *
 * @example
 * ```ts
 * const counter = countConnections(emulator().server)
 * // … requests …
 * counter.stop()
 * expect(counter.seen.maxOpen).toBeLessThanOrEqual(16)
 * ```
 */
export function countConnections(server: Server) {
  let open = 0
  const seen = { total: 0, maxOpen: 0 }
  const onConnection = (socket: Socket) => {
    seen.total++
    seen.maxOpen = Math.max(seen.maxOpen, ++open)
    socket.once('close', () => open--)
  }
  server.on('connection', onConnection)
  return { seen, stop: () => server.off('connection', onConnection) }
}
