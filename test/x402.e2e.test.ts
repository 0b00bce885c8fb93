import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { erc20Abi, parseEther, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalWorld, type LocalWorld } from '../devnet/src/devnet/startLocalWorld.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'

// The "done when", as a user runs it: `gondola` subprocesses on a devnet and the emulator. A wallet with
// only ETH runs an agent with `--pay x402`: it swaps ETH → USDC, pays $5 of credits over x402 (settled on anvil),
// runs its tool loop signed in with SIWX (no API key exists), and is charged per call.
const exec = promisify(execFile)
let world: LocalWorld
beforeAll(async () => {
  world = await startLocalWorld()
}, 120_000)
afterAll(() => world?.stop())

const usdcOf = (a: Address) =>
  world.devnet.publicClient.readContract({ address: world.devnet.addresses.usdc!, abi: erc20Abi, functionName: 'balanceOf', args: [a] })

describe('x402 end to end (gondola subprocesses, devnet + emulator)', () => {
  it('only ETH → swap to USDC → $5 top-up by x402 → tool loop by SIWX, charged per call; balance, transactions and status agree', async () => {
    const { env } = await cliState(world.devnet, world.veniceBaseUrl, { GONDOLA_X402_PAYEES: world.emulator.x402.payTo })
    const terminal: string[] = []
    const gondola = async (...args: string[]) => {
      const { stdout, stderr } = await exec(process.execPath, ['bin/gondola.js', ...args], { env })
      terminal.push(stdout, stderr)
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as any
    }
    const { address } = (await gondola('wallet', 'new', '--json')) as { address: Address }
    await world.devnet.fund(address, { eth: parseEther('0.5') })
    expect(await usdcOf(address)).toBe(0n)

    // A dry run checks the offer against the policy and signs nothing.
    const plan = await gondola('x402', 'topup', '--usd', '5', '--dry-run', '--json')
    expect(plan).toMatchObject({ dryRun: true, status: 'planned', usdc: '5', payTo: world.emulator.x402.payTo, nonce: null })

    const run = await gondola('run', 'treasurer', '--pay', 'x402', '--json')
    expect(run).toMatchObject({ agent: 'treasurer', pay: 'x402', status: 'completed' })
    expect(run.runs[0].toolCalls.map((c: { name: string }) => c.name)).toEqual(['get_runway', 'get_wallet_balances'])
    // The $5 shortfall was bought with ETH (exact output; the router may deliver up to the policy's 50 bps slippage
    // buffer more) and paid: what is left is at most that buffer.
    expect(await usdcOf(address)).toBeLessThanOrEqual(25_000n)
    expect(await usdcOf(world.emulator.x402.payTo)).toBeGreaterThanOrEqual(5_000_000n)

    const ledger = await gondola('x402', 'transactions', '--json')
    const types = ledger.transactions.map((t: { type: string }) => t.type)
    expect(types.at(-1)).toBe('TOP_UP')
    expect(types.filter((t: string) => t === 'CHARGE')).toHaveLength(run.runs[0].steps)
    const balance = await gondola('x402', 'balance', '--json')
    expect(balance.credits.balanceUsd).toBeLessThan(5)
    expect(balance.credits.balanceUsd).toBeCloseTo(ledger.currentBalance, 6)
    expect(run.creditsUsd).toBeCloseTo(ledger.currentBalance, 6)
    expect(balance).toMatchObject({ unfinishedPayments: [] })
    expect(balance.usdcHeld).toBeLessThanOrEqual(0.025)

    const status = await gondola('status', '--json')
    expect(status.x402.credits.balanceUsd).toBeCloseTo(ledger.currentBalance, 6)
    // The run's calls are in the spend ledger, paid from credits: both surfaces give the credits one runway from them.
    const spend = await gondola('ledger', '--json')
    expect(spend.summary.calls).toBe(run.runs[0].steps)
    expect(spend.summary.costDiem).toBe(0)
    expect(balance.runway.wallet.state).toBe('draining')
    expect(balance.runway.wallet.spendable).toBe(balance.credits.balanceUsd)
    expect(status.x402.runway.wallet).toMatchObject({ spendable: balance.runway.wallet.spendable, burnPerHour: balance.runway.wallet.burnPerHour })
    expect(status.x402.runway.agents.map((a: { agent: string }) => a.agent)).toEqual(['treasurer'])

    // Strict flags: a misspelt one is a usage error (exit 2), nothing paid.
    const bad = await exec(process.execPath, ['bin/gondola.js', 'x402', 'topup', '--usdd', '5'], { env }).catch((e) => e)
    expect(bad.code).toBe(2)
    // No secret reached the terminal: no password, and no SIWX header (base64 JSON of a signed message).
    const all = terminal.join('\n')
    expect(all).not.toContain(CLI_TEST_PASSWORD)
    expect(all).not.toMatch(/eyJhZGRyZXNzIj/)
  }, 300_000)

  it('npm start -- --rail x402: the story from only ETH to a tool loop on credits, no API key minted', async () => {
    const { stdout } = await exec(process.execPath, ['bin/gondola.js', 'demo', '--rail', 'x402', '--json'], {
      env: { ...process.env, GONDOLA_PRIVATE_KEY: '' },
    })
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>
    expect(summary).toMatchObject({ rail: 'x402', usdcPaid: '5', apiKeys: 0 })
    expect(summary.topUps).toHaveLength(1)
    expect(summary.runs.every((r: { status: string }) => r.status === 'completed')).toBe(true)
    expect(summary.charges).toBe(summary.runs.reduce((s: number, r: { steps: number }) => s + r.steps, 0))
    expect(summary.creditsUsd).toBeGreaterThan(4.9)
    expect(summary.creditsUsd).toBeLessThan(5)
  }, 300_000)
})
