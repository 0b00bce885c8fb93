import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openDatabase, openPgJournal, type Database } from '../src/fleet/index.js'
import { WalletLockedError } from '../src/wallet/errors.js'
import { openKeyStoreFromEnv } from '../src/cli/keysContext.js'
import { readEnv } from '../src/config/env.js'
import { openWallet } from '../src/runtime/openWallet.js'
import { privateKeyToAccount } from 'viem/accounts'
import { requestTopUp, unfinishedTopUps } from '../src/host/walletTopUp.js'
import { createWallet } from '../src/wallet/createWallet.js'
import type { Wallet } from '../src/wallet/createWallet.js'
import { assertWalletLockHeld } from '../src/wallet/send/heldLocks.js'
import { withWalletLock } from '../src/wallet/send/withRun.js'
import { childWallet } from './helpers/childWallet.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { publishDevnet } from './helpers/publishDevnet.js'

let pg: TestPostgres
const devnet = useDevnet()
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(async () => {
  await pg?.stop()
})

const ADDRESS: Address = '0x00000000000000000000000000000000000A11CE'
const HOUR = 3_600_000

async function freshDb(): Promise<{ url: string; db: Database }> {
  const url = await pg.createDatabase()
  const db = await openDatabase({ url })
  await migrate(db)
  return { url, db }
}

/** A REAL separate process holding the advisory lock `name` (see test/fixtures/holdLock.ts); its stdout lines arrive in `lines`. */
function lockHolder(url: string, name: string, timeoutMs = 30_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/holdLock.ts', url, name, String(timeoutMs)], { stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: string[] = []
  const waiters: Array<() => void> = []
  let buffer = ''
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop()!
    lines.push(...parts)
    for (const w of waiters.splice(0)) w()
  })
  const next = (prefix: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = lines.find((l) => l.startsWith(prefix))
        if (hit) return resolve(hit)
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`holder exited without "${prefix}"`))
        waiters.push(check)
      }
      child.on('exit', check)
      check()
    })
  return { child, lines, next, release: () => child.stdin.write('go\n'), exited: new Promise((r) => child.on('exit', r)) }
}

describe('wallet journal in Postgres', () => {
  it('keeps runs, steps (raw bytes before broadcast), outcomes and the daily spend; another opener sees them after reload', async () => {
    const { db } = await freshDb()
    const a = await openPgJournal(db, { chainId: 8453, address: ADDRESS })
    const b = await openPgJournal(db, { chainId: 8453, address: ADDRESS })
    const other = await openPgJournal(db, { chainId: 8453, chainInstance: 'abc', address: ADDRESS })
    const run = await a.startRun('k1', 'swapEthForVvv:1')
    const step = await a.recordSigned(run, {
      name: 'swap',
      label: 'swap',
      to: ADDRESS,
      value: parseEther('0.05').toString(),
      data: '0x12',
      nonce: 3,
      hash: `0x${'ab'.repeat(32)}`,
      raw: '0xf86b',
    })
    expect(a.spentOnDay(new Date())).toBe(parseEther('0.05'))
    expect(b.runs()).toHaveLength(0) // stale until reloaded (the lock holder reloads)
    await b.reload()
    expect(b.runs()[0]!.steps[0]).toMatchObject({ raw: '0xf86b', status: 'signed', nonce: 3 })
    expect(b.findResumable('k1')?.intent).toBe('swapEthForVvv:1')
    await a.recordOutcome(run, step, { status: 'reverted', gasUsed: '21000' })
    await a.closeRun(run, 'failed')
    await b.reload()
    expect(b.spentOnDay(new Date())).toBe(0n) // a reverted step spent nothing
    expect(b.runs()[0]).toMatchObject({ status: 'failed', steps: [{ status: 'reverted', gasUsed: '21000' }] })
    await b.reopenRun(b.runs()[0]!)
    await a.reload()
    expect(a.findResumable('k1')?.status).toBe('open')
    // A different chain instance (another devnet with the same chain id) is another journal.
    await other.reload()
    expect(other.runs()).toEqual([])
    expect(a.path).not.toContain('gondola-test-pw')
    await db.close()
  })

  it('two processes on one wallet: the second waits for the first; a SIGKILLed holder frees the lock at once', async () => {
    const { url, db } = await freshDb()
    const name = 'wallet:8453:0xabc'
    const first = lockHolder(url, name)
    expect(await first.next('acquired')).toBe(`acquired ${first.child.pid}`)
    const second = lockHolder(url, name)
    // The second is queued by Postgres: it has not acquired while the first holds the lock…
    await new Promise((r) => setTimeout(r, 400))
    expect(second.lines).toEqual([])
    first.release()
    await first.next('released')
    // …and acquires once it is released.
    expect(await second.next('acquired')).toBe(`acquired ${second.child.pid}`)
    // SIGKILL the holder: no release, no cleanup. Its session ends, and the lock is free for the next process.
    second.child.kill('SIGKILL')
    await second.exited
    const third = lockHolder(url, name, 10_000)
    expect(await third.next('acquired')).toBe(`acquired ${third.child.pid}`)
    // A waiter with a short timeout is told who holds it.
    const fourth = lockHolder(url, name, 300)
    expect(await fourth.next('timeout')).toBe(`timeout ${third.child.pid}`)
    third.release()
    await third.exited
    await db.close()
  }, 60_000)

  it('the wallet lock surfaces as WalletLockedError naming the holder, and no lock file is involved', async () => {
    const { url, db } = await freshDb()
    const journal = await openPgJournal(db, { chainId: 8453, address: ADDRESS })
    const holder = lockHolder(url, `wallet:8453:${ADDRESS.toLowerCase()}`)
    await holder.next('acquired')
    const err = await journal.lock({ timeoutMs: 200, staleMs: 1 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WalletLockedError)
    expect((err as WalletLockedError).holder?.pid).toBe(holder.child.pid)
    expect((err as Error).message).not.toContain('gondola-test-pw')
    holder.release()
    await holder.exited
    const lock = await journal.lock({ timeoutMs: 5_000, staleMs: 1 })
    await lock.release()
    await db.close()
  }, 30_000)
})

describe('a lost lock', () => {
  it('a holder whose connection is cut (as by a Postgres restart) sees lost() and signs nothing more; the lock is free for the next', async () => {
    const { db } = await freshDb()
    const journal = await openPgJournal(db, { chainId: 8453, address: ADDRESS })
    const wallet = { journal, dryRun: false, lockTimeoutMs: 5_000, lockStaleMs: 1 } as unknown as Wallet
    const err = await withWalletLock(wallet, async () => {
      assertWalletLockHeld(wallet) // held: signing may go on
      await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gondola-lock'")
      for (let i = 0; i < 100; i++) {
        try {
          assertWalletLockHeld(wallet)
        } catch (e) {
          return e
        }
        await new Promise((r) => setTimeout(r, 20))
      }
      return undefined
    })
    expect(err).toBeInstanceOf(WalletLockedError)
    expect((err as WalletLockedError).code).toBe('WALLET_LOCK_LOST')
    const next = await journal.lock({ timeoutMs: 2_000, staleMs: 1 })
    await next.release()
    await db.close()
  })
})

describe('the configuration picks the Postgres journal and key store', () => {
  it('openWallet(env) and the CLI key store use Postgres when GONDOLA_DATABASE_URL is set, files otherwise', async () => {
    const { url, db } = await freshDb()
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-env-'))
    await publishDevnet(stateDir, devnet())
    const base = {
      GONDOLA_STATE_DIR: stateDir,
      GONDOLA_PRIVATE_KEY: w.privateKey,
      GONDOLA_KEYSTORE_PASSWORD: 'treasury-pw',
      GONDOLA_FLEET_SECRET: 'fleet-secret-0123456789',
    }
    const fleet = await openWallet(readEnv({ ...base, GONDOLA_DATABASE_URL: url }))
    expect(fleet.journal.path).toMatch(new RegExp(`#wallet:${devnet().chainId}-[0-9a-f]+:${w.address.toLowerCase()}$`))
    expect((await openKeyStoreFromEnv(readEnv({ ...base, GONDOLA_DATABASE_URL: url }))).path).toMatch(/#keys:default$/)
    const local = await openWallet(readEnv(base))
    expect(local.journal.path).toBe(w.journal.path) // the per-address file journal, as before
    expect((await openKeyStoreFromEnv(readEnv(base))).path).toBe(join(stateDir, 'keys.json'))
    await db.close()
  }, 60_000)
})

describe('funding window and daily cap across processes (Postgres journal, devnet)', () => {
  it('4 REAL processes with separate state AND data dirs (as on 4 machines), one wallet: exactly 1 top-up', async () => {
    const { url, db } = await freshDb()
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const children = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const dir = await mkdtemp(join(tmpdir(), 'gondola-machine-'))
        return childWallet(
          devnet(),
          { key: w.privateKey, stateDir: dir, extra: { databaseUrl: url, dataDir: join(dir, 'data') } },
          `return await requestTopUp({ wallet, policy: { mintDiem: false, cooldownMs: ${HOUR} } }, { eth: ${parseEther('0.01')}n, reason: 'runway' })`,
        )
      }),
    )
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.go()
    const results = await Promise.all(children.map((c) => c.result))
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const outs = results.map((r) => r.out as { ok: boolean; refusal?: string })
    expect(outs.filter((o) => o.ok)).toHaveLength(1)
    expect(outs.filter((o) => !o.ok && /already ran at/.test(o.refusal ?? ''))).toHaveLength(3)
    const journal = await openPgJournal(db, {
      chainId: devnet().chainId,
      chainInstance: w.journal.path.match(/journal-\d+-([0-9a-f]+)/)?.[1],
      address: w.address,
    })
    const topUps = journal.runs().filter((r) => r.intent.startsWith('topUp:'))
    expect(topUps).toHaveLength(1)
    expect(topUps[0]!.status).toBe('done')
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(topUps[0]!.steps.length)
    expect(existsSync(w.journal.path)).toBe(false) // nothing went through a file journal
    await db.close()
  }, 300_000)

  it('the daily ETH cap holds across two processes: 6 × 0.05 ETH asked, 0.2 cap → exactly 4 swaps on chain', async () => {
    const { url, db } = await freshDb()
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const body = `const r = []; for (let i = 0; i < 3; i++) r.push(await swapEthForVvv(wallet, { amountIn: ${parseEther('0.05')}n }).then(() => 'sent', (e) => e.name)); return r`
    const children = await Promise.all(
      [0, 1].map(async () =>
        childWallet(devnet(), { key: w.privateKey, stateDir: await mkdtemp(join(tmpdir(), 'gondola-machine-')), extra: { databaseUrl: url } }, body),
      ),
    )
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.go()
    const outs = (await Promise.all(children.map((c) => c.result))).flatMap((r) => r.out as unknown as string[])
    expect(outs.filter((o) => o === 'sent')).toHaveLength(4)
    expect(outs.filter((o) => o === 'PolicyViolationError')).toHaveLength(2)
    const journal = await openPgJournal(db, {
      chainId: devnet().chainId,
      chainInstance: w.journal.path.match(/journal-\d+-([0-9a-f]+)/)?.[1],
      address: w.address,
    })
    expect(journal.spentOnDay(new Date())).toBe(parseEther('0.2'))
    expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(journal.runs().flatMap((r) => r.steps).length)
    await db.close()
  }, 300_000)

  it('a treasury SIGKILLed mid-top-up (after signing the stake; after broadcasting the swap) is resumed by the next one on another machine from the Postgres journal: each transaction once', async () => {
    for (const [step, hook] of [
      ['stake', 'afterSign'],
      ['swap', 'afterBroadcast'],
    ] as const) {
      const { url, db } = await freshDb()
      const w = await testWallet(devnet(), { eth: parseEther('1') })
      const dir = await mkdtemp(join(tmpdir(), 'gondola-machine-'))
      const c = childWallet(
        devnet(),
        {
          key: w.privateKey,
          stateDir: dir,
          extra: { databaseUrl: url, dataDir: join(dir, 'data'), hooks: `{ ${hook}: (s) => { if (s.name === '${step}') kill() } }` },
        },
        `return await requestTopUp({ wallet, policy: { mintDiem: true, cooldownMs: ${HOUR} } }, { eth: ${parseEther('0.01')}n, reason: 'runway', idempotencyKey: 'topup:killed' })`,
      )
      await c.ready
      c.go()
      expect((await c.result).signal).toBe('SIGKILL')
      // The next treasury: another state and data dir, the same Postgres journal. Its lock is free (the holder died).
      const next = await createWallet({
        account: privateKeyToAccount(w.privateKey),
        publicClient: devnet().publicClient,
        addresses: devnet().addresses,
        stateDir: await mkdtemp(join(tmpdir(), 'gondola-next-')),
        dataDir: await mkdtemp(join(tmpdir(), 'gondola-next-data-')),
        journalStore: (p) => openPgJournal(db, p),
        pollingIntervalMs: 20,
        receiptTimeoutMs: 10_000,
        lockTimeoutMs: 10_000,
      })
      expect(unfinishedTopUps(next).map((r) => r.key)).toEqual(['topup:killed'])
      const r = await requestTopUp({ wallet: next, policy: { mintDiem: true, cooldownMs: HOUR } }, { eth: parseEther('0.01'), reason: 'runway' })
      expect(r, `${step}/${hook}`).toMatchObject({ ok: true, summary: expect.stringMatching(/^finished an interrupted top-up/) })
      await next.journal.reload()
      expect(next.journal.runs()).toHaveLength(1)
      expect(next.journal.runs()[0]!.steps.map((s) => s.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed'])
      expect(await devnet().publicClient.getTransactionCount({ address: w.address })).toBe(5) // no double spend
      expect((await requestTopUp({ wallet: next, policy: { mintDiem: true, cooldownMs: HOUR } }, { eth: parseEther('0.01'), reason: 'runway' })).ok).toBe(false) // the window holds
      await db.close()
    }
  }, 300_000)
})
