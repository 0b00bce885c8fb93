import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { requestTopUp } from '../src/host/walletTopUp.js'
import { swapEthForVvv } from '../src/wallet/actions/swapEthForVvv.js'
import { PolicyViolationError } from '../src/wallet/errors.js'
import { childWallet } from './helpers/childWallet.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const HOUR = 3_600_000
const nonceOf = (address: `0x${string}`) => devnet().publicClient.getTransactionCount({ address })

type JournalFile = { runs: Array<{ key: string; intent: string; status: string; steps: Array<{ name: string; status: string }> }> }
const topUpRuns = async (path: string) => (JSON.parse(await readFile(path, 'utf8')) as JournalFile).runs.filter((r) => r.intent.startsWith('topUp:'))

describe('one top-up per funding window', () => {
  it('4 parallel request_top_up calls in one model turn: exactly 1 top-up, the other 3 are refused in words', async () => {
    const { wallet, store, stateDir, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
    emulator().setUsdBalance(account.address, 5)
    const agentKey = store.keys('INFERENCE').find((k) => k.agent === 'treasurer')!
    emulator().script(store.reveal(agentKey.id), [
      { tool_calls: Array.from({ length: 4 }, (_, i) => ({ name: 'request_top_up', arguments: { reason: `need funds #${i}` } })) },
      { content: 'Done.' },
    ])
    const host = createAgentHost({
      wallet,
      store,
      baseURL: emulator().baseURL,
      outboxDir: join(stateDir, 'outbox'),
      funding: { minRunwayHours: 0.000001, cooldownMs: HOUR, ethPerTopUp: parseEther('0.01'), mintDiem: false },
    })
    const nonce = await nonceOf(account.address)
    const result = await host.run(defineAgent({ name: 'treasurer', model: 'qwen3-4b', tools: ['request_top_up'], prompt: 'Top up.' }), {
      prompt: 'Top up four times.',
    })
    host.close()
    const toolResults = result.messages.filter((m) => m.role === 'tool').map((m) => String(m.content))
    expect(toolResults).toHaveLength(4)
    expect(toolResults.filter((t) => t.startsWith('Top-up done:'))).toHaveLength(1)
    const refused = toolResults.filter((t) => t.startsWith('Top-up refused by policy: A top-up already ran at'))
    expect(refused).toHaveLength(3)
    for (const t of refused) expect(t).toMatch(/allows the next one after .*Nothing was sent\./)
    const runs = await topUpRuns(wallet.journal.path)
    expect(runs).toHaveLength(1)
    expect(await nonceOf(account.address)).toBe(nonce + runs[0]!.steps.length)
    expect(result.fundingError).toBeUndefined() // a refusal is the policy working, not a failure
  })

  it('a process whose in-memory journal is stale does not top up again', async () => {
    const a = await testWallet(devnet(), { eth: parseEther('1') })
    // "The scheduled process": opened (journal read) before the other process tops up.
    const stale = await testWallet(devnet(), { privateKey: a.privateKey, stateDir: await mkdtemp(join(tmpdir(), 'gondola-other-')) })
    expect((await requestTopUp({ wallet: a, policy: { mintDiem: false, cooldownMs: HOUR } }, { eth: parseEther('0.01'), reason: 'runway' })).ok).toBe(true)
    expect(stale.journal.runs()).toHaveLength(0) // stale in memory
    const nonce = await nonceOf(a.address)
    const second = await requestTopUp({ wallet: stale, policy: { mintDiem: false, cooldownMs: HOUR } }, { eth: parseEther('0.01'), reason: 'runway' })
    expect(second).toMatchObject({ ok: false, refusal: expect.stringMatching(/already ran at/) })
    expect(await nonceOf(a.address)).toBe(nonce)
  })

  it('two agents (two wallet objects) in one process asking at once: exactly 1 top-up', async () => {
    const a = await testWallet(devnet(), { eth: parseEther('1') })
    const b = await testWallet(devnet(), { privateKey: a.privateKey, stateDir: a.stateDir })
    const results = await Promise.all(
      [a, b, a, b].map((w, i) => requestTopUp({ wallet: w, policy: { mintDiem: false, cooldownMs: HOUR } }, { eth: parseEther('0.01'), reason: `agent ${i}` })),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(await topUpRuns(a.journal.path)).toHaveLength(1)
  })

  it('4 REAL processes on one wallet (each with its own state dir), started together: exactly 1 top-up on chain', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const children = await Promise.all(
      Array.from({ length: 4 }, async () =>
        childWallet(
          devnet(),
          { key: w.privateKey, stateDir: await mkdtemp(join(tmpdir(), 'gondola-proc-')) },
          `return await requestTopUp({ wallet, policy: { mintDiem: false, cooldownMs: ${HOUR} } }, { eth: ${parseEther('0.01')}n, reason: 'runway' })`,
        ),
      ),
    )
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.go()
    const results = await Promise.all(children.map((c) => c.result))
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const outs = results.map((r) => r.out as { ok: boolean; refusal?: string })
    expect(outs.filter((o) => o.ok)).toHaveLength(1)
    expect(outs.filter((o) => !o.ok && /already ran at/.test(o.refusal ?? ''))).toHaveLength(3)
    const runs = await topUpRuns(w.journal.path)
    expect(runs).toHaveLength(1)
    expect(runs[0]!.status).toBe('done')
    expect(await nonceOf(w.address)).toBe(runs[0]!.steps.length) // swap, approve, stake: once
  })
})

describe('two `gondola run` processes on one wallet', () => {
  it('both ask for a top-up at once (request_top_up): exactly 1 top-up on chain, both exit 0, the other is refused in words', async () => {
    const { wallet, store, stateDir, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
    emulator().setUsdBalance(account.address, 5)
    await publishDevnet(stateDir, devnet(), emulator().baseURL)
    const agentKey = store.keys('INFERENCE').find((k) => k.agent === 'treasurer')!
    const ask = { tool_calls: [{ name: 'request_top_up', arguments: { reason: 'low on funds' } }] }
    emulator().script(store.reveal(agentKey.id), [ask, ask, { content: 'ok' }, { content: 'ok' }])
    const env = {
      ...process.env,
      GONDOLA_STATE_DIR: stateDir,
      GONDOLA_PRIVATE_KEY: wallet.privateKey,
      GONDOLA_KEYSTORE_PASSWORD: '',
      GONDOLA_FUNDING_MIN_RUNWAY_HOURS: '0.000001',
    }
    const nonce = await nonceOf(account.address)
    const exec = promisify(execFile)
    const runs = await Promise.all(
      [0, 1].map(() =>
        exec(process.execPath, ['bin/gondola.js', 'run', 'treasurer', '--json'], { env }).then(
          (r) => ({ code: 0, stdout: r.stdout }),
          (e: { code: number; stdout: string }) => e,
        ),
      ),
    )
    expect(runs.map((r) => r.code)).toEqual([0, 0])
    const results = runs.flatMap((r) =>
      (JSON.parse(r.stdout.trim().split('\n').at(-1)!).runs as Array<{ toolCalls: Array<{ result: string }> }>).flatMap((x) =>
        x.toolCalls.map((c) => c.result),
      ),
    )
    expect(results.filter((t) => t.startsWith('Top-up done:'))).toHaveLength(1)
    expect(results.filter((t) => t.startsWith('Top-up refused by policy: A top-up already ran at'))).toHaveLength(1)
    const topUps = await topUpRuns(wallet.journal.path)
    expect(topUps).toHaveLength(1)
    expect(await nonceOf(account.address)).toBe(nonce + topUps[0]!.steps.length)
  }, 600_000)
})

describe('journal, lock and daily spend belong to the address', () => {
  it('one keystore used from two state dirs cannot exceed the daily cap', async () => {
    const a = await testWallet(devnet(), { eth: parseEther('1') })
    const b = await testWallet(devnet(), { privateKey: a.privateKey, stateDir: await mkdtemp(join(tmpdir(), 'gondola-second-')) })
    expect(b.journal.path).toBe(a.journal.path)
    expect(b.journal.path.startsWith(process.env.GONDOLA_DATA_DIR!)).toBe(true)
    await swapEthForVvv(a, { amountIn: parseEther('0.05') })
    await swapEthForVvv(b, { amountIn: parseEther('0.05') })
    await swapEthForVvv(a, { amountIn: parseEther('0.05') })
    await swapEthForVvv(b, { amountIn: parseEther('0.05') }) // 0.2: the cap
    const nonce = await nonceOf(a.address)
    const err = await swapEthForVvv(a, { amountIn: parseEther('0.01') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PolicyViolationError)
    expect((err as PolicyViolationError).shortMessage).toMatch(/per-UTC-day cap|per day|daily/i)
    expect(await swapEthForVvv(b, { amountIn: parseEther('0.01') }).catch((e: unknown) => e)).toBeInstanceOf(PolicyViolationError)
    expect(await nonceOf(a.address)).toBe(nonce)
  })

  it('a journal an older version kept in a state dir is merged into the per-address one once, and counts toward the cap', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-legacy-'))
    const legacy = join(stateDir, 'wallet', `journal-${devnet().chainId}-${w.address.toLowerCase()}.json`)
    const at = new Date().toISOString()
    const step = {
      name: 'swap',
      label: 'swap',
      to: devnet().addresses.swapRouter,
      value: parseEther('0.15').toString(),
      data: '0x',
      nonce: 0,
      hash: `0x${'ab'.repeat(32)}`,
      raw: '0x',
      status: 'confirmed',
      signedAt: at,
    }
    await mkdir(join(stateDir, 'wallet'), { recursive: true })
    await writeFile(
      legacy,
      JSON.stringify({
        version: 1,
        chainId: devnet().chainId,
        address: w.address,
        runs: [{ key: 'old', intent: 'swapEthForVvv:old', status: 'done', createdAt: at, updatedAt: at, steps: [step] }],
      }),
    )
    const migrated = await testWallet(devnet(), { privateKey: w.privateKey, stateDir })
    expect(existsSync(legacy)).toBe(false)
    expect(existsSync(`${legacy}.migrated`)).toBe(true)
    expect(migrated.journal.runs().map((r) => r.key)).toEqual(['old'])
    expect(w.journal.path).toBe(migrated.journal.path)
    await w.journal.reload()
    expect(w.journal.spentOnDay(new Date())).toBe(parseEther('0.15'))
    // 0.15 spent (from the old state dir) + 0.1 > 0.2
    expect(await swapEthForVvv(w, { amountIn: parseEther('0.05') }).then(() => 'sent')).toBe('sent')
    expect(await swapEthForVvv(w, { amountIn: parseEther('0.01') }).catch((e: unknown) => e)).toBeInstanceOf(PolicyViolationError)
    // Opening again does not duplicate the migrated runs.
    const again = await testWallet(devnet(), { privateKey: w.privateKey, stateDir })
    expect(again.journal.runs().filter((r) => r.key === 'old')).toHaveLength(1)
    expect(privateKeyToAccount(w.privateKey).address).toBe(w.address)
  })
})
