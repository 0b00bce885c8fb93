import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRunner, summarize } from '../src/agent/index.js'
import { readEnv } from '../src/config/env.js'
import { createStateStores, FleetStateConfigError, readPgLedger } from '../src/fleet/index.js'
import { KeyStoreFileError } from '../src/keys/errors.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { useEmulator } from './helpers/useEmulator.js'

const ALICE: Address = '0x00000000000000000000000000000000000A11CE'
const emulator = useEmulator({ stakes: { [ALICE]: { svvv: 10n ** 18n } } })
let pg: TestPostgres
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(async () => {
  await pg?.stop()
})

const FLEET = 'fleet-secret-0123456789'
const run = promisify(execFile)

describe('createStateStores: one place picks files or Postgres', () => {
  it('without GONDOLA_DATABASE_URL: the embedded default (files in the state dir, in-process limiters)', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-stores-'))
    const stores = await createStateStores(readEnv({ GONDOLA_STATE_DIR: stateDir }))
    expect(stores.kind).toBe('files')
    expect(stores.database).toBeUndefined()
    expect(stores.journalStore).toBeUndefined() // createWallet's file journal
    expect(stores.createLimiter).toBeUndefined()
    expect((await stores.openKeyStore()).path).toBe(join(stateDir, 'keys.json'))
    expect(stores.runHistory()).toBeUndefined()
    expect(stores.failureBudget(ALICE)).toBe(stores.failureBudget(ALICE.toLowerCase()))
    await stores.close()
  })

  it('with GONDOLA_DATABASE_URL: every store in Postgres; an agent worker never opens the ADMIN key, even with the password in its environment', async () => {
    const url = await pg.createDatabase()
    const env = readEnv({ GONDOLA_DATABASE_URL: url, GONDOLA_KEYSTORE_PASSWORD: 'treasury-password', GONDOLA_FLEET_SECRET: FLEET })
    await expect(createStateStores({ ...env, GONDOLA_FLEET_SECRET: undefined }, { role: 'agent' })).rejects.toBeInstanceOf(FleetStateConfigError)

    const treasury = await createStateStores(env)
    expect(treasury.kind).toBe('postgres')
    const keys = await treasury.openKeyStore()
    for (const [id, type] of [
      ['adm', 'ADMIN'],
      ['bot', 'INFERENCE'],
    ] as const) {
      await keys.beginAttempt({ attemptId: id, description: id, apiKeyType: type, wallet: '0xabc', apiOrigin: 'http://v' })
      await keys.completeAttempt(id, {
        id,
        apiKeyType: type,
        apiKey: `vk_${id}_0123456789abcdef`,
        description: id,
        consumptionLimit: {},
        limitPeriod: null,
        expiresAt: null,
        wallet: '0xabc',
        apiOrigin: 'http://v',
        createdAt: new Date().toISOString(),
      })
    }
    const journal = await treasury.journalStore!({ dataDir: '/nonexistent', chainId: 8453, address: ALICE })
    expect(journal.path).toMatch(/#wallet:8453:0x0+a11ce$/)
    expect(journal.path).not.toContain('treasury-password')

    const agent = await createStateStores(env, { role: 'agent' }) // the same environment, the agent role
    const agentKeys = await agent.openKeyStore()
    expect(agentKeys.reveal('bot')).toBe('vk_bot_0123456789abcdef')
    expect(() => agentKeys.reveal('adm')).toThrow(KeyStoreFileError)

    // The runner on the fleet's stores: shared limiter, account budget and ledger.
    const { apiKey } = emulator().createKey(ALICE)
    const ledger = agent.ledger()
    const runner = createRunner({
      baseURL: emulator().baseURL,
      keys: [{ name: 'bot', apiKey }],
      ledger,
      failureBudget: agent.failureBudget(ALICE),
      createLimiter: agent.createLimiter,
      limiter: { initialLimit: 20 },
    })
    expect((await runner.run({ agent: 'bot', prompt: 'hello', model: 'qwen3-4b' })).status).toBe('completed')
    await ledger.flush()
    expect(summarize(await readPgLedger(agent.database!)).byAgent.bot?.calls).toBe(1)
    runner.close()
    await agent
      .runHistory()!
      .append('bot', { status: 'completed', model: 'qwen3-4b', steps: 1, toolCalls: 0, toolErrors: 0, costDiem: 0, costUsd: 0 } as never, { runId: 'job-1' })
    expect((await treasury.runHistory()!.read()).map((r) => r.runId)).toEqual(['job-1'])
    await agent.close()
    await treasury.close()
  })

  it('`gondola keys list` in fleet mode reads the Postgres key store (ADMIN key listed, never revealed) and exits on its own', async () => {
    const url = await pg.createDatabase()
    const env = readEnv({ GONDOLA_DATABASE_URL: url, GONDOLA_KEYSTORE_PASSWORD: 'treasury-password', GONDOLA_FLEET_SECRET: FLEET })
    const stores = await createStateStores(env)
    const keys = await stores.openKeyStore()
    await keys.beginAttempt({ attemptId: 'adm', description: 'adm', apiKeyType: 'ADMIN', wallet: '0xabc', apiOrigin: 'http://v' })
    await keys.completeAttempt('adm', {
      id: 'adm-id',
      apiKeyType: 'ADMIN',
      apiKey: 'vk_admin_SECRET_0123456789',
      description: 'adm',
      consumptionLimit: {},
      limitPeriod: null,
      expiresAt: null,
      wallet: '0xabc',
      apiOrigin: 'http://v',
      createdAt: new Date().toISOString(),
    })
    await stores.close()
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-cli-'))
    // An agent worker's environment: the database and the fleet secret, no keystore password.
    const { stdout } = await run(process.execPath, ['bin/gondola.js', 'keys', 'list', '--json'], {
      env: { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_DATABASE_URL: url, GONDOLA_FLEET_SECRET: FLEET, GONDOLA_KEYSTORE_PASSWORD: '' },
      timeout: 60_000,
    })
    const listed = JSON.parse(stdout.trim().split('\n').at(-1)!) as { keys: Array<{ id: string; redacted: string }> }
    expect(listed.keys.map((k) => [k.id, k.redacted])).toEqual([['adm-id', '…6789']])
    expect(stdout).not.toContain('SECRET')
  }, 90_000)
})
