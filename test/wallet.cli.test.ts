import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseEther } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from './helpers/useDevnet.js'
import { publishDevnet } from './helpers/publishDevnet.js'

const run = promisify(execFile)
const devnet = useDevnet()
const PASSWORD = 'correct horse battery'
let stateDir: string

async function gondola(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, GONDOLA_STATE_DIR: stateDir, GONDOLA_KEYSTORE_PASSWORD: PASSWORD, GONDOLA_NETWORK: 'devnet', CI: '1' }
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/gondola.js', ...args], { env })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('gondola wallet / swap CLI', () => {
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'gondola-cli-'))
  })

  it('wallet new prints only the address; swap --json prints decimals; errors are one line with their exit code; no secret is printed', async () => {
    const d = devnet()
    await publishDevnet(stateDir, d)
    const created = await gondola('wallet', 'new')
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^0x[0-9a-fA-F]{40}\n$/)
    const address = created.stdout.trim() as `0x${string}`
    await d.fund(address, { eth: parseEther('1') })

    const swap = await gondola('swap', '--eth', '0.01', '--json')
    expect(swap.code).toBe(0)
    const out = JSON.parse(swap.stdout)
    expect(out).toMatchObject({ status: 'confirmed', amountIn: '0.01', fee: 3000, dryRun: false })
    expect(out.amountOut).toMatch(/^9\.9\d+$/)

    const dry = await gondola('stake', '--all', '--dry-run', '--json')
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'planned', approved: true, hashes: [] })
    // The plan names each transaction: approve is simulated; stake needs that approval first, so it cannot be.
    const steps = JSON.parse(dry.stdout).steps as { functionName: string; to: string; simulated: boolean; args: Record<string, string> }[]
    expect(steps.map((s) => [s.functionName, s.to, s.simulated])).toEqual([
      ['approve', d.addresses.vvv, true],
      ['stake', d.addresses.staking, false],
    ])
    expect(steps[0]!.args).toEqual({ spender: d.addresses.staking, amount: parseEther(out.amountOut).toString() })
    const dryText = await gondola('stake', '--all', '--dry-run')
    expect(dryText.stdout).toContain(`\n  stake ${out.amountOut} VVV → ${d.addresses.staking} (stake) 0 ETH, not simulated`)
    expect(await d.publicClient.getTransactionCount({ address })).toBe(1)

    const bad = await gondola('swap', '--eth', '-1')
    expect(bad.code).toBe(2) // usage: a bad flag value
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/--eth is not a decimal number|negative/)
    const capped = await gondola('swap', '--eth', '0.5')
    expect(capped.code).toBe(4) // refused by the spend policy
    expect(capped.stderr).toMatch(/per-swap cap of 0.05 ETH/)

    const keystore = await readFile(join(stateDir, 'wallet.keystore.json'), 'utf8')
    for (const r of [created, swap, dry, bad, capped]) {
      expect(r.stdout + r.stderr).not.toContain(PASSWORD)
      expect(r.stdout + r.stderr).not.toContain(JSON.parse(keystore).Crypto?.ciphertext ?? '§')
    }
  })
})
