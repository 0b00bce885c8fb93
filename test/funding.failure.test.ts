import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { defineAgent } from '../src/agent/defineAgent.js'
import { createAgentHost } from '../src/host/createAgentHost.js'
import { finishInterruptedTopUp, requestTopUp, unfinishedTopUps } from '../src/host/walletTopUp.js'
import { FundingFailedError } from '../src/host/fundingErrors.js'
import { provisionedWallet } from './helpers/provisionedWallet.js'
import { rpcProxy } from './helpers/rpcProxy.js'
import { testWallet } from './helpers/testWallet.js'
import { useDevnet } from './helpers/useDevnet.js'
import { useEmulatorOn } from './helpers/useEmulator.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const exec = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const HOUR = 3_600_000
const nonceOf = (address: `0x${string}`) => devnet().publicClient.getTransactionCount({ address })
type JournalFile = { runs: Array<{ intent: string; status: string; steps: Array<{ name: string; status: string }> }> }
const journalOf = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as JournalFile

/** What must never reach the model, a result or the terminal: a multi-line viem dump, the RPC URL or its keys. */
function expectClean(text: string): void {
  expect(text).not.toContain('\n')
  expect(text).not.toMatch(/SECRET|URL:|Request body|Version: viem|127\.0\.0\.1/)
}

describe('the RPC cut during a top-up', () => {
  it('the model gets one short line, the run result carries the failure (exit code 5), and the next run reconciles and finishes the swap', async () => {
    const { wallet: direct, store, stateDir, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
    emulator().setUsdBalance(account.address, 5)
    const proxy = await rpcProxy(devnet().rpcUrl)
    try {
      const wallet = await testWallet(devnet(), {
        privateKey: direct.privateKey,
        stateDir,
        rpcUrl: proxy.url,
        hooks: { afterSign: (s) => (s.name === 'swap' ? proxy.cut() : undefined) },
      })
      const agentKey = store.keys('INFERENCE').find((k) => k.agent === 'treasurer')!
      emulator().script(store.reveal(agentKey.id), [
        { tool_calls: [{ name: 'request_top_up', arguments: { reason: 'low on funds' } }] },
        { content: 'I could not top up.' },
      ])
      const host = createAgentHost({
        wallet,
        store,
        baseURL: emulator().baseURL,
        outboxDir: join(stateDir, 'outbox'),
        funding: { minRunwayHours: 0.000001, cooldownMs: HOUR, ethPerTopUp: parseEther('0.01'), mintDiem: true },
      })
      const result = await host.run(defineAgent({ name: 'treasurer', model: 'qwen3-4b', tools: ['request_top_up'], prompt: 'x' }), { prompt: 'Top up.' })
      host.close()
      const tool = String(result.messages.find((m) => m.role === 'tool')?.content)
      expect(tool).toMatch(
        /^Top-up failed: the chain RPC could not be reached \([A-Za-z_ ]+\)\. Anything already sent is journaled and finished on the next run\.$/,
      )
      expectClean(tool)
      expect(result.status).toBe('completed')
      expect(result.fundingError).toBeInstanceOf(FundingFailedError)
      expect(result.fundingError!.exitCode).toBe(5)
      expectClean(result.fundingError!.shortMessage)
      expect(result.fundingError!.message).not.toMatch(/SECRET/)
      // The journal holds the signed, never-broadcast swap.
      expect((await journalOf(direct.journal.path)).runs.at(-1)).toMatchObject({
        intent: expect.stringMatching(/^topUp:/),
        status: 'open',
        steps: [{ name: 'swap', status: 'signed' }],
      })
      const nonce = await nonceOf(account.address)

      // The connection is back: the next run reconciles the signed swap (rebroadcast by nonce) and finishes the top-up.
      await proxy.restore()
      const again = await testWallet(devnet(), { privateKey: direct.privateKey, stateDir, rpcUrl: proxy.url })
      expect(unfinishedTopUps(again)).toHaveLength(1)
      const done = await finishInterruptedTopUp({ wallet: again })
      expect(done?.resumedSteps).toEqual(['swap'])
      const run = (await journalOf(direct.journal.path)).runs.at(-1)!
      expect(run.status).toBe('done')
      expect(run.steps.every((s) => s.status === 'confirmed')).toBe(true)
      expect(await nonceOf(account.address)).toBe(nonce + run.steps.length)
    } finally {
      await proxy.stop()
    }
  })

  it('anvil unreachable before anything is signed: a one-line FundingFailedError with exit code 5, nothing journaled', async () => {
    const w = await testWallet(devnet(), { eth: parseEther('1') })
    const proxy = await rpcProxy(devnet().rpcUrl)
    const cutWallet = await testWallet(devnet(), { privateKey: w.privateKey, stateDir: w.stateDir, rpcUrl: proxy.url })
    await proxy.cut()
    const err = await requestTopUp({ wallet: cutWallet, policy: { mintDiem: false, cooldownMs: HOUR } }, { eth: parseEther('0.01'), reason: 'runway' }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(FundingFailedError)
    expect((err as FundingFailedError).exitCode).toBe(5)
    expectClean((err as FundingFailedError).shortMessage)
    expect((err as FundingFailedError).message).not.toMatch(/SECRET/)
    expect(unfinishedTopUps(cutWallet)).toEqual([])
  })

  it('`gondola run` with the RPC cut at the top-up broadcast exits 5 and says why in one line; the next run finishes the swap', async () => {
    const { wallet, store, stateDir, account } = await provisionedWallet(devnet(), emulator().baseURL, { agents: ['treasurer'] })
    emulator().setUsdBalance(account.address, 5)
    const proxy = await rpcProxy(devnet().rpcUrl, { cutOn: 'eth_sendRawTransaction' })
    try {
      await publishDevnet(stateDir, devnet(), emulator().baseURL, { rpcUrl: proxy.url })
      const agentKey = store.keys('INFERENCE').find((k) => k.agent === 'treasurer')!
      emulator().script(store.reveal(agentKey.id), [
        { tool_calls: [{ name: 'request_top_up', arguments: { reason: 'low on funds' } }] },
        { content: 'Could not top up.' },
      ])
      const env = {
        ...process.env,
        GONDOLA_STATE_DIR: stateDir,
        GONDOLA_PRIVATE_KEY: wallet.privateKey,
        GONDOLA_KEYSTORE_PASSWORD: '',
        GONDOLA_FUNDING_MIN_RUNWAY_HOURS: '0.000001',
      }
      const r = await exec(process.execPath, ['bin/gondola.js', 'run', 'treasurer', '--json'], { env }).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      )
      expect(r.code).toBe(5)
      const line = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
      expect(line.runs[0].fundingError).toMatchObject({
        name: 'FundingFailedError',
        exitCode: 5,
        message: expect.stringMatching(/^Top-up failed: the chain RPC could not be reached/),
      })
      expect(line.runs[0].toolCalls[0].result).toMatch(/^Top-up failed: the chain RPC could not be reached/)
      expect(r.stdout + r.stderr).not.toMatch(/SECRET/)
      // The next `gondola run` (connection back) finishes the signed swap first.
      await proxy.restore()
      // `gondola status` shows the unfinished top-up.
      const status = JSON.parse((await exec(process.execPath, ['bin/gondola.js', 'status', '--json'], { env })).stdout.trim().split('\n').at(-1)!)
      expect(status.unfinishedRuns).toEqual([
        expect.objectContaining({ intent: expect.stringMatching(/^topUp:/), steps: [expect.objectContaining({ name: 'swap', status: 'signed' })] }),
      ])
      emulator().script(store.reveal(agentKey.id), [{ content: 'All good.' }])
      const next = await exec(process.execPath, ['bin/gondola.js', 'run', 'treasurer'], { env })
      expect(next.stdout).toMatch(/^⚡ finished an interrupted top-up: swapped 0\.01 ETH/m)
      const run = (await journalOf(wallet.journal.path)).runs.at(-1)!
      expect(run).toMatchObject({ intent: expect.stringMatching(/^topUp:/), status: 'done' })
    } finally {
      await proxy.stop()
    }
  })
})
