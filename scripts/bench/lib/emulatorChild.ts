/**
 * Child process for the benches: runs the Venice emulator (and a trivial Fastify route to compare it
 * with) in its own process, counts requests and sockets at the server, and obeys IPC commands from
 * `remoteEmulator.ts`. Not a bench module itself (it lives under `lib/`, which `npm run bench` skips).
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import Fastify from 'fastify'
import type { Address } from 'viem'
import { createStaticChainReader } from '../../../devnet/src/emulator/chainReader.js'
import { startEmulator } from '../../../devnet/src/emulator/startEmulator.js'
import type { RateLimitOverrides } from '../../../devnet/src/emulator/state/rateLimiter.js'

export type ChildCommand =
  | { id: number; op: 'createKey'; owner: Address }
  | { id: number; op: 'setRateLimits'; overrides: RateLimitOverrides }
  | { id: number; op: 'stats' }
  | { id: number; op: 'resetStats' }
  | { id: number; op: 'stop' }

/** `cpuUs`: this child's CPU time (user + system, µs) since the last reset: per request it moves far less with other processes' load than req/s does. */
export type ServerStats = {
  requests: number
  chatRequests: number
  connections: number
  maxOpenConnections: number
  openConnections: number
  cpuUs: number
  sysUs?: number
}

const owners = JSON.parse(process.env.BENCH_EMULATOR_OWNERS ?? '[]') as Address[]
const emulator = await startEmulator({ chain: createStaticChainReader(Object.fromEntries(owners.map((o) => [o, { svvv: 10n ** 18n }]))), dailyPoolDiem: 1e12 })
const trivial = Fastify({ logger: false, keepAliveTimeout: 30_000 })
trivial.post('/api/v1/chat/completions', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send('{"ok":true}'))
await trivial.listen({ port: 0, host: '127.0.0.1' })

const stats: ServerStats = { requests: 0, chatRequests: 0, connections: 0, maxOpenConnections: 0, openConnections: 0, cpuUs: 0 }
let cpuFrom = process.cpuUsage()
const watch = (server: Server) => {
  server.on('request', (req: { url?: string }) => {
    stats.requests++
    if (req.url?.endsWith('/chat/completions')) stats.chatRequests++
  })
  server.on('connection', (socket: Socket) => {
    stats.connections++
    stats.maxOpenConnections = Math.max(stats.maxOpenConnections, ++stats.openConnections)
    socket.once('close', () => void stats.openConnections--)
  })
}
watch(emulator.server)
watch(trivial.server)

process.on('message', async (m: ChildCommand) => {
  const reply = (value: unknown) => process.send!({ id: m.id, value })
  switch (m.op) {
    case 'createKey':
      return reply(emulator.createKey(m.owner).apiKey)
    case 'setRateLimits':
      emulator.setRateLimits(m.overrides)
      return reply(true)
    case 'stats': {
      const c = process.cpuUsage(cpuFrom)
      return reply({ ...stats, cpuUs: c.user + c.system, sysUs: c.system })
    }
    case 'resetStats':
      // Sockets still open stay counted as open; the maximum restarts from them.
      stats.requests = stats.chatRequests = stats.connections = 0
      cpuFrom = process.cpuUsage()
      stats.maxOpenConnections = stats.openConnections
      return reply(true)
    case 'stop':
      await Promise.all([emulator.stop(), trivial.close()])
      reply(true)
      return process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
const trivialPort = (trivial.server.address() as { port: number }).port
process.send!({ ready: true, baseURL: emulator.baseURL, port: emulator.port, trivialPort })
