import type { AddressInfo } from 'node:net'
import { NostrRelay } from '@nostr-relay/core'
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite'
import { Validator } from '@nostr-relay/validator'
import { WebSocketServer } from 'ws'

/**
 * A real Nostr relay (the @nostr-relay packages: signature checks, filters, subscriptions, in-memory SQLite) on a
 * local `ws` server on a free port.
 *
 * @example
 * ```ts
 * const relay = await startNostrRelay()
 * // … use relay.url …
 * await relay.stop()
 * ```
 */
export async function startNostrRelay() {
  const repository = new EventRepositorySqlite(':memory:')
  await repository.init()
  const relay = new NostrRelay(repository)
  const validator = new Validator()
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (ws) => {
    relay.handleConnection(ws)
    ws.on('message', async (data) => {
      try {
        await relay.handleMessage(ws, await validator.validateIncomingMessage(data))
      } catch (err) {
        ws.send(JSON.stringify(['NOTICE', (err as Error).message]))
      }
    })
    ws.on('close', () => relay.handleDisconnect(ws))
  })
  await new Promise<void>((r) => wss.on('listening', () => r()))
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
  return {
    url,
    stop: async () => {
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((r) => wss.close(() => r()))
      await repository.destroy()
    },
  }
}
