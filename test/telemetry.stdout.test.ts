import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { guardStdout } from '../src/mcp/serveStdio.js'
import { otlpReceiver, unreachablePort } from './helpers/otlpReceiver.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const BIN = join(process.cwd(), 'bin/gondola.js')

/** A provisioned state dir and the environment a CLI subprocess needs to use it (raw key, no keystore password). */
async function world() {
  const w = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer', 'mcp'] })
  await publishDevnet(w.stateDir, devnet(), emulator().baseURL)
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    GONDOLA_STATE_DIR: w.stateDir,
    GONDOLA_PRIVATE_KEY: w.wallet.privateKey,
    GONDOLA_KEYSTORE_PASSWORD: '',
    GONDOLA_LOG_LEVEL: 'error',
  }
  for (const k of Object.keys(env)) if (k.startsWith('OTEL_')) delete env[k]
  return { ...w, env }
}

/**
 * A raw MCP stdio session (no SDK client, so every byte of stdout is seen): initialize, the given tool calls one
 * after another, then the client hangs up by closing stdin. Resolves with everything the server wrote and its exit code.
 */
async function rawMcpSession(env: Record<string, string>, calls: { name: string; arguments: Record<string, unknown> }[]) {
  const child = spawn(process.execPath, [BIN, 'mcp'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const waiters = new Map<number, () => void>()
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    for (const line of stdout.split('\n').slice(0, -1)) {
      try {
        const id = (JSON.parse(line) as { id?: number }).id
        if (id !== undefined) waiters.get(id)?.()
      } catch {
        // not JSON: the test's assertion reports it
      }
    }
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const request = (id: number, method: string, params: unknown) => {
    const answered = new Promise<void>((r) => waiters.set(id, r))
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`)
    return answered
  }
  await request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } })
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`)
  let id = 2
  for (const call of calls) await request(id++, 'tools/call', call)
  child.stdin.end() // a normal disconnect
  const code = await exited
  return { stdout, stderr, code }
}

describe('stdout carries results only', () => {
  it('OTEL_TRACES_EXPORTER=console: `gondola run treasurer --json` prints one JSON document on stdout; spans go to stderr', async () => {
    const { env } = await world()
    const { stdout, stderr } = await exec(process.execPath, [BIN, 'run', 'treasurer', '--json'], {
      env: { ...env, OTEL_TRACES_EXPORTER: 'console' },
      timeout: 120_000,
    })
    // As `| jq .` reads it: the whole stdout is JSON values, nothing else.
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ agent: 'treasurer', status: 'completed' })
    const spans = stderr
      .split('\n')
      .filter((l) => l.startsWith('{"otel":"span"'))
      .map((l) => JSON.parse(l) as { name: string })
    expect(spans.map((s) => s.name)).toContain('invoke_agent treasurer')
  })

  it('an unreachable collector does not hold `gondola run` up', async () => {
    const { env } = await world()
    const port = await unreachablePort()
    const started = Date.now()
    const { stdout } = await exec(process.execPath, [BIN, 'run', 'treasurer', '--json'], {
      env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      timeout: 120_000,
    })
    const tookMs = Date.now() - started
    expect(JSON.parse(stdout.trim())).toMatchObject({ status: 'completed' })
    const baseStarted = Date.now()
    await exec(process.execPath, [BIN, 'run', 'treasurer', '--json'], { env, timeout: 120_000 })
    // Generous: before, an unreachable collector added ~22 s to every command; the bound now is 1 s.
    expect(tookMs - (Date.now() - baseStarted)).toBeLessThan(8_000)
  })

  it('an MCP stdio session with console telemetry gets only JSON-RPC frames on stdout', async () => {
    const { env } = await world()
    const { stdout, stderr, code } = await rawMcpSession({ ...env, OTEL_TRACES_EXPORTER: 'console' }, [
      { name: 'get_wallet_balances', arguments: {} },
      { name: 'venice_chat', arguments: { prompt: 'Say hi.' } },
    ])
    expect(code).toBe(0)
    const lines = stdout.split('\n').filter((l) => l !== '')
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' })
    // The spans were printed, on stderr.
    expect(stderr).toContain('execute_tool venice_chat')
  })

  it('MCP tool calls and venice_chat are traced, and a normal disconnect flushes spans not yet exported', async () => {
    const { env } = await world()
    const collector = await otlpReceiver()
    try {
      const { code } = await rawMcpSession({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SERVICE_NAME: 'gondola-mcp-test' }, [
        { name: 'get_wallet_balances', arguments: {} },
        { name: 'venice_chat', arguments: { prompt: 'Say hi.' } },
      ])
      expect(code).toBe(0)
      // The session was shorter than the batch processor's 5 s delay: only the shutdown on disconnect sent these.
      const traces = collector.bodies('/v1/traces').join('')
      expect(traces).toContain('gondola-mcp-test')
      expect(traces).toContain('execute_tool get_wallet_balances')
      expect(traces).toContain('execute_tool venice_chat')
      expect(traces).toMatch(/"name":"chat [^"]+"/)
      expect(traces).toContain('server.address')
      expect(collector.bodies('/v1/metrics').join('')).toContain('gondola.diem.spent')
    } finally {
      await collector.close()
    }
  })
})

describe('guardStdout', () => {
  it('sends every other stdout write to stderr; only the frames stream reaches stdout', async () => {
    const out: string[] = []
    const err: string[] = []
    const sink = (to: string[]) =>
      new Writable({
        write: (c: Buffer, _e, done) => {
          to.push(c.toString())
          done()
        },
      }) as unknown as NodeJS.WriteStream
    const stdout = sink(out)
    const stderr = sink(err)
    const guard = guardStdout(stdout, stderr)
    stdout.write('a stray log line\n')
    await new Promise<void>((r) => guard.frames.write('{"jsonrpc":"2.0"}\n', () => r()))
    guard.restore()
    stdout.write('after\n')
    expect(out.join('')).toBe('{"jsonrpc":"2.0"}\nafter\n')
    expect(err.join('')).toBe('a stray log line\n')
  })
})
