import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { erc20Abi, parseEther, type Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalWorld, type LocalWorld } from '../devnet/src/devnet/startLocalWorld.js'
import { KeyStore } from '../src/keys/KeyStore.js'
import { CLI_TEST_PASSWORD } from './helpers/cliState.js'
import { gondolaInProcess } from './helpers/gondolaInProcess.js'
import { railsWorld } from './helpers/railProfiles.js'
import { spendLine } from './helpers/spendLine.js'
import { publishDevnet } from './helpers/publishDevnet.js'

// In process (runCli) on a real anvil and the emulator, its x402 rail settling on that chain, in the world the
// README's rail comparison is measured in: with funding.rail 'auto' and no --pay, `gondola run` prices both
// rails once for the agent's measured usage and pays AND tops up on the cheaper one.
let world: LocalWorld
beforeAll(async () => {
  world = await startLocalWorld({ emulator: { chainCacheMs: 0, minStakedDiemForDiem: 0.1 } })
  await railsWorld(world.devnet)
}, 180_000)
afterAll(() => world?.stop())

/** A fresh wallet with ETH only, a state dir publishing this world, and `diemPerDay` of treasurer calls in its ledger. */
async function state(diemPerDay: number, extra: Record<string, string> = {}) {
  const privateKey = generatePrivateKey()
  const address = privateKeyToAccount(privateKey).address
  await world.devnet.fund(address, { eth: parseEther('1') })
  const stateDir = await mkdtemp(join(tmpdir(), 'gondola-run-rail-'))
  const d = world.devnet
  await publishDevnet(stateDir, d, world.veniceBaseUrl)
  // Four calls in the last hour: a ledger younger than a day is averaged over one day.
  const now = Date.now()
  const lines = [1, 2, 3, 4].map((i) => spendLine('treasurer', now - i * 600_000, diemPerDay / 4))
  await writeFile(join(stateDir, 'ledger.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
  const env = {
    GONDOLA_STATE_DIR: stateDir,
    GONDOLA_PRIVATE_KEY: privateKey,
    GONDOLA_KEYSTORE_PASSWORD: CLI_TEST_PASSWORD,
    GONDOLA_X402_PAYEES: world.emulator.x402.payTo,
    GONDOLA_FUNDING_RAIL: 'auto',
    NO_COLOR: '1',
    ...extra,
  }
  return { stateDir, env, address }
}

const usdcOf = (a: Address) =>
  world.devnet.publicClient.readContract({ address: world.devnet.addresses.usdc!, abi: erc20Abi, functionName: 'balanceOf', args: [a] })
const keysIn = async (stateDir: string) =>
  existsSync(join(stateDir, 'keys.json')) ? (await KeyStore.open({ path: join(stateDir, 'keys.json'), password: CLI_TEST_PASSWORD })).keys().length : 0

describe('gondola run with funding.rail auto: the rail decides how a run pays and tops up (#29 item 4)', () => {
  it('50 Diem/day over a 1-day horizon: x402 is cheaper, so the run signs in with SIWX and tops up over x402; no key is minted', async () => {
    const { stateDir, env } = await state(50, { GONDOLA_AUTOPILOT_HORIZON_DAYS: '1' })
    const payeeBefore = await usdcOf(world.emulator.x402.payTo)
    const r = await gondolaInProcess(['run', 'treasurer', '--json'], env)
    expect(r.code).toBe(0)
    // One stderr line: the rail and why, with both costs.
    expect(r.stderr).toMatch(
      /^gondola run: treasurer pays on x402 — funding\.rail is auto: 50 Diem\/day over 1 d costs \$[\d.]+ staked \(diem\) vs \$5\d\.\d\d in x402 credits\.\n$/,
    )
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
    expect(out).toMatchObject({
      agent: 'treasurer',
      pay: 'x402',
      status: 'completed',
      rail: { rail: 'x402', decidedBy: 'auto', usageDiemPerDay: '50', horizonDays: 1 },
    })
    expect(Number(out.rail.costsUsd.x402)).toBeLessThan(Number(out.rail.costsUsd.diem))
    // A real x402 top-up ($5, settled on anvil), then calls debited from the credits; no API key exists.
    expect((await usdcOf(world.emulator.x402.payTo)) - payeeBefore).toBe(5_000_000n)
    expect(out.creditsUsd).toBeGreaterThan(0)
    expect(out.creditsUsd).toBeLessThan(5)
    expect(await keysIn(stateDir)).toBe(0)
  }, 180_000)

  it('0.05 Diem/day over 30 days (the default horizon): staking is cheaper, so the run uses its Diem key; --pay and funding.rail x402 override', async () => {
    // 0.03 ETH per top-up mints more than the 0.1 DIEM the emulator's staked-DIEM rule asks for.
    const { stateDir, env } = await state(0.05, { GONDOLA_FUNDING_TOPUP_ETH: '0.03' })
    const prov = await gondolaInProcess(['provision', '--agents', 'treasurer', '--stake-vvv', '5', '--diem-per-agent', '0.5', '--json'], env)
    expect(prov.code).toBe(0)
    const keys = await keysIn(stateDir)
    const r = await gondolaInProcess(['run', 'treasurer', '--json'], env)
    expect(r.code, r.stdout).toBe(0)
    expect(r.stderr).toMatch(
      /^gondola run: treasurer pays on diem — funding\.rail is auto: 0\.05 Diem\/day over 30 d costs \$[\d.]+ staked \(diem\) vs \$5\.\d\d in x402 credits\.\n$/,
    )
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
    expect(out).toMatchObject({ pay: 'diem', status: 'completed', rail: { rail: 'diem', decidedBy: 'auto', horizonDays: 30 } })
    expect(Number(out.rail.usageDiemPerDay)).toBeCloseTo(0.05, 12)
    expect(out.costDiem + out.costUsd).toBeGreaterThan(0)
    expect(Number(out.rail.costsUsd.diem)).toBeLessThan(Number(out.rail.costsUsd.x402))

    // --pay x402 overrides auto: no comparison, no rail line; the run tops up $5 of credits over x402.
    const payee = await usdcOf(world.emulator.x402.payTo)
    const x = await gondolaInProcess(['run', 'treasurer', '--pay', 'x402', '--json'], env)
    expect([x.code, x.stderr]).toEqual([0, ''])
    expect(JSON.parse(x.stdout)).toMatchObject({ pay: 'x402', status: 'completed', rail: { rail: 'x402', decidedBy: '--pay', why: '--pay x402' } })
    expect((await usdcOf(world.emulator.x402.payTo)) - payee).toBe(5_000_000n)
    // funding.rail x402 means --pay x402 by default (the credits bought above pay for it); --pay diem overrides it.
    const byX402 = await gondolaInProcess(['run', 'treasurer', '--json'], { ...env, GONDOLA_FUNDING_RAIL: 'x402' })
    expect([byX402.code, byX402.stderr]).toEqual([0, 'gondola run: treasurer pays on x402 — funding.rail is x402.\n'])
    expect(JSON.parse(byX402.stdout)).toMatchObject({ pay: 'x402', rail: { decidedBy: 'x402' } })
    const byFlag = await gondolaInProcess(['run', 'treasurer', '--pay', 'diem', '--json'], { ...env, GONDOLA_FUNDING_RAIL: 'x402' })
    expect([byFlag.code, byFlag.stderr]).toEqual([0, ''])
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ pay: 'diem', status: 'completed', rail: { rail: 'diem', decidedBy: '--pay' } })
    // An agent definition's own funding.rail wins over GONDOLA_FUNDING_RAIL.
    const saver = join(stateDir, 'saver.json')
    await writeFile(saver, JSON.stringify({ name: 'saver', prompt: 'How long will my compute last?', tools: ['get_runway'], funding: { rail: 'x402' } }))
    const byDef = await gondolaInProcess(['run', saver, '--json'], { ...env, GONDOLA_FUNDING_RAIL: 'diem' })
    expect([byDef.code, byDef.stderr]).toEqual([0, 'gondola run: saver pays on x402 — funding.rail is x402.\n'])
    expect(JSON.parse(byDef.stdout)).toMatchObject({ agent: 'saver', pay: 'x402', status: 'completed' })
    expect(await keysIn(stateDir)).toBe(keys) // the x402 runs minted nothing
  }, 240_000)

  it('a bad GONDOLA_FUNDING_RAIL or --pay is refused before anything runs, naming what to fix', async () => {
    const { env } = await state(1, { GONDOLA_FUNDING_RAIL: 'cheapest' })
    const bad = await gondolaInProcess(['run', 'treasurer'], env)
    expect(bad.code).toBe(3)
    expect(bad.stderr).toMatch(/GONDOLA_FUNDING_RAIL/)
    expect(bad.stderr).toMatch(/'diem', 'x402' or 'auto'/)
    const flag = await gondolaInProcess(['run', 'treasurer', '--pay', 'usdc'], { ...env, GONDOLA_FUNDING_RAIL: 'auto' })
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/--pay must be diem or x402/)
  }, 60_000)
})
