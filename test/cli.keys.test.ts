import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Wallet as EthersWallet } from 'ethers'
import { parseEther, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { KeyStore } from '../src/keys/KeyStore.js'
import { useDevnet } from './helpers/useDevnet.js'
import { CLI_TEST_PASSWORD, cliState } from './helpers/cliState.js'
import { useEmulatorOn } from './helpers/useEmulator.js'

const run = promisify(execFile)
const devnet = useDevnet()
const emulator = useEmulatorOn(devnet, { chainCacheMs: 0 })
const password = CLI_TEST_PASSWORD

describe('gondola wallet/provision/keys CLI (subprocess)', () => {
  it('bootstraps a new keystore wallet, is idempotent, and never prints a secret', async () => {
    const d = devnet()
    const { stateDir, env } = await cliState(d, emulator().baseURL)
    const output: string[] = []
    const gondola = async (...args: string[]) => {
      const { stdout, stderr } = await run(process.execPath, ['bin/gondola.js', ...args], { env })
      output.push(stdout, stderr)
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as any
    }

    const created = await gondola('wallet', 'new', '--json')
    const address = created.address as Address
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(await gondola('faucet', '--eth', '1', '--json')).toEqual({ address, eth: '1', vvv: '0', usdc: '0' })
    expect(await d.publicClient.getBalance({ address })).toBe(parseEther('1'))

    // --dry-run shows each transaction it would send (text: one line each; JSON: stake.steps) and sends none.
    const nonce = await d.publicClient.getTransactionCount({ address })
    const plan = ['provision', '--agents', 'treasurer', '--stake-vvv', '5', '--diem-per-agent', '0.25', '--dry-run']
    const text = (await run(process.execPath, ['bin/gondola.js', ...plan], { env })).stdout
    output.push(text)
    expect(text).toMatch(
      new RegExp(`\n    swap ETH → VVV \\(Uniswap V3, fee \\d+\\) → ${d.addresses.swapRouter} \\(exactInputSingle\\) 0\\.\\d+ ETH, simulated\n`),
    )
    expect(text).toContain(`\n    approve 5 VVV to staking → ${d.addresses.vvv} (approve) 0 ETH, simulated\n`)
    expect(text).toContain(`\n    stake 5 VVV → ${d.addresses.staking} (stake) 0 ETH, not simulated`)
    const planned = await gondola(...plan, '--json')
    expect(planned.stake.steps.map((s: { name: string; to: string; functionName: string }) => [s.name, s.to, s.functionName])).toEqual([
      ['swap', d.addresses.swapRouter, 'exactInputSingle'],
      ['approve', d.addresses.vvv, 'approve'],
      ['stake', d.addresses.staking, 'stake'],
    ])
    expect(planned.stake.steps[1].args).toEqual({ spender: d.addresses.staking, amount: parseEther('5').toString() })
    expect(planned.stake.steps[2].args).toEqual({ recipient: address, amount: parseEther('5').toString() })
    expect(await d.publicClient.getTransactionCount({ address })).toBe(nonce)

    const first = await gondola('provision', '--agents', 'treasurer', '--stake-vvv', '5', '--diem-per-agent', '0.25', '--json')
    expect(first.stake.hashes).toHaveLength(3)
    expect(first.admin.status).toBe('minted')
    expect(first.agents[0]).toMatchObject({ agent: 'treasurer', status: 'minted', key: { consumptionLimit: { diem: 0.25 }, limitPeriod: 'EPOCH' } })

    const second = await gondola('provision', '--agents', 'treasurer', '--stake-vvv', '5', '--diem-per-agent', '0.25', '--json')
    expect(second.stake).toMatchObject({ status: 'already', hashes: [] })
    expect([second.admin.status, second.agents[0].status]).toEqual(['kept', 'kept'])

    const listed = await gondola('keys', 'list', '--json')
    expect(listed.keys.map((k: { apiKeyType: string }) => k.apiKeyType).sort()).toEqual(['ADMIN', 'INFERENCE'])
    const rotated = await gondola('keys', 'rotate', first.agents[0].key.id.slice(0, 8), '--diem', '0.5', '--json')
    expect(rotated.revoked).toBe(first.agents[0].key.id)
    expect(rotated.key.consumptionLimit.diem).toBe(0.5)

    // The key store is sealed with the password; no secret reached the terminal.
    const store = await KeyStore.open({ path: join(stateDir, 'keys.json'), password })
    const secrets = store.keys().map((k) => store.reveal(k.id))
    const privateKey = (await EthersWallet.fromEncryptedJson(await readFile(join(stateDir, 'wallet.keystore.json'), 'utf8'), password)).privateKey
    const fileText = await readFile(store.path, 'utf8')
    const terminal = output.join('\n')
    for (const secret of [...secrets, password, privateKey, privateKey.slice(2)]) {
      expect(terminal).not.toContain(secret)
      expect(fileText).not.toContain(secret)
    }
  })

  it('bad flags exit non-zero with a one-line reason and send nothing', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'gondola-cli-'))
    const env = { ...process.env, GONDOLA_STATE_DIR: stateDir }
    const err = await run(process.execPath, ['bin/gondola.js', 'keys', 'mint', '--type', 'ROOT'], { env }).catch((e) => e)
    expect(err.code).toBe(2) // usage
    expect(err.stderr.trim()).toBe('gondola: --type must be one of INFERENCE, ADMIN, got "ROOT".')
  })
})
