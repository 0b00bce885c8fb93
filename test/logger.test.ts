import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { readEnv } from '../src/config/env.js'
import { configureLogging, createLogger, getLogger, LOG_LEVELS, type LogLevel } from '../src/util/logger.js'

const exec = promisify(execFile)

function capture(level: LogLevel, component?: string) {
  const lines: string[] = []
  const log = createLogger(level, (l) => lines.push(l), { component })
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

describe('createLogger (pino)', () => {
  it('writes one JSON line per event with time, level, component, msg and the fields', () => {
    const { log, lines, parsed } = capture('info', 'wallet')
    log.info('swap confirmed', { hash: '0xabc', agent: 'treasurer', amountIn: 10n ** 16n })
    expect(lines).toHaveLength(1)
    expect(lines[0]!.endsWith('\n')).toBe(true)
    const [line] = parsed()
    expect(line).toMatchObject({ level: 'info', component: 'wallet', msg: 'swap confirmed', hash: '0xabc', agent: 'treasurer', amountIn: '10000000000000000' })
    expect(new Date(String(line!.time)).toISOString()).toBe(line!.time)
    expect(Object.keys(line!).slice(0, 2)).toEqual(['level', 'time'])
  })

  it('filters by level, trace included', () => {
    const emitted = (level: LogLevel) => {
      const { log, parsed } = capture(level)
      log.trace('t')
      log.debug('d')
      log.info('i')
      log.warn('w')
      log.error('e')
      return parsed().map((l) => l.level)
    }
    expect(emitted('trace')).toEqual(['trace', 'debug', 'info', 'warn', 'error'])
    expect(emitted('debug')).toEqual(['debug', 'info', 'warn', 'error'])
    expect(emitted('warn')).toEqual(['warn', 'error'])
    expect(emitted('silent')).toEqual([])
    expect(LOG_LEVELS).toContain(readEnv({ GONDOLA_LOG_LEVEL: 'trace' }).GONDOLA_LOG_LEVEL)
    expect(() => readEnv({ GONDOLA_LOG_LEVEL: 'verbose' })).toThrow(/GONDOLA_LOG_LEVEL/)
  })

  it('redacts secrets in fields (by name, nested), in URLs (userinfo, key query values) and in the message', () => {
    const { log, lines } = capture('debug')
    const apiKey = 'vk_0123456789abcdef0123'
    const privateKey = `0x${'ab'.repeat(32)}`
    log.warn(`retrying https://alice:hunter2-secret@rpc.example.org/v2?apikey=QUERYSECRET123456 with ${apiKey}`, {
      apiKey,
      wallet: { privateKey, address: '0x1111111111111111111111111111111111111111' },
      password: 'correct-horse-battery-staple',
      headers: { authorization: `Bearer ${apiKey}` },
      rpcUrl: 'https://bob:s3cr3t-pass@rpc.example.org/?token=TOKENSECRET987654',
      note: `Bearer ${apiKey}`,
      error: new Error(`failed at https://carol:pw-in-error@host.example/ with ${apiKey}`),
    })
    const text = lines.join('')
    for (const secret of [
      apiKey,
      privateKey,
      'hunter2-secret',
      'QUERYSECRET123456',
      'correct-horse-battery-staple',
      's3cr3t-pass',
      'TOKENSECRET987654',
      'pw-in-error',
    ])
      expect(text).not.toContain(secret)
    const line = JSON.parse(lines[0]!) as Record<string, any>
    expect(line.apiKey).toBe('[redacted]')
    expect(line.wallet).toEqual({ privateKey: '[redacted]', address: '0x1111111111111111111111111111111111111111' })
    expect(line.headers.authorization).toBe('[redacted]')
    expect(line.rpcUrl).toMatch(/^https:\/\/(\*\*\*@)?rpc\.example\.org\/\?token=/)
    expect(line.msg).toMatch(/^retrying https:\/\/(\*\*\*@)?rpc\.example\.org\/v2\?apikey=/)
  })

  it('children replace the component and keep other bindings; getLogger follows configureLogging', () => {
    const { log, parsed } = capture('info', 'cli')
    log.child({ component: 'host', agent: 'treasurer' }).info('topUp', { runId: 'r1' })
    expect(parsed()[0]).toMatchObject({ component: 'host', agent: 'treasurer', runId: 'r1', msg: 'topUp' })
    expect(Object.keys(parsed()[0]!).filter((k) => k === 'component')).toHaveLength(1)

    const early = getLogger('venice') // taken at import time, before the CLI configures the root
    const lines: string[] = []
    configureLogging({ level: 'trace', write: (l) => lines.push(l) })
    try {
      early.trace('request', { path: '/models' })
      early.child({ agent: 'a' }).debug('retrying')
      expect(lines.map((l) => JSON.parse(l))).toMatchObject([
        { level: 'trace', component: 'venice', msg: 'request', path: '/models' },
        { level: 'debug', component: 'venice', agent: 'a', msg: 'retrying' },
      ])
    } finally {
      configureLogging({ level: 'silent' })
    }
  })
})

describe('GONDOLA_LOG_LEVEL in commands other than run', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  async function gondola(level: string, ...args: string[]) {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-log-'))
    dirs.push(stateDir)
    const env = { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_LOG_LEVEL: level, NO_COLOR: '1' }
    return exec(process.execPath, ['bin/gondola.js', ...args], { env })
  }

  it('`gondola ledger --json` logs debug JSON lines on stderr and keeps stdout one JSON line', async () => {
    const { stdout, stderr } = await gondola('debug', 'ledger', '--json')
    expect(JSON.parse(stdout)).toMatchObject({ entries: [] })
    expect(stdout.trim().split('\n')).toHaveLength(1)
    const lines = stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toContainEqual(expect.objectContaining({ level: 'debug', component: 'cli', msg: 'command started', command: 'ledger' }))
    expect(lines).toContainEqual(expect.objectContaining({ level: 'debug', component: 'cli', msg: 'command finished', command: 'ledger', exitCode: 0 }))
  })

  it('is quiet at info and accepts trace', async () => {
    expect((await gondola('info', 'ledger', '--json')).stderr).toBe('')
    const traced = await gondola('trace', 'ledger', '--json')
    const lines = traced.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toContainEqual(expect.objectContaining({ level: 'trace', component: 'cli', msg: 'environment', network: 'devnet', logLevel: 'trace' }))
    expect(lines.map((l) => l.level)).toContain('debug')
  })
})
