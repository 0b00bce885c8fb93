import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { erc20Abi, isAddressEqual, parseEther, zeroAddress, type Address } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { stakingAbi, vvvAbi } from '../src/chain/abis/index.js'
import { addressBookContracts, addressBookSchema } from '../src/chain/addressBook.js'
import { readDevnetAddressBook } from '../src/chain/devnetInfo.js'
import { FaucetError, PortInUseError } from '../devnet/src/devnet/errors.js'
import { startDevnet } from '../devnet/src/devnet/startDevnet.js'
import { useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()

async function chainIdAt(rpcUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    return ((await res.json()) as { result?: string }).result
  } catch {
    return undefined
  }
}

/** Polls until `check` holds; fails with `what` after 100 tries (no wall-clock assertion on speed). */
async function eventually(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`Timed out waiting for: ${what}`)
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startDevnet', () => {
  it('deploys a devnet address book with code behind every contract and Venice wiring as on mainnet', async () => {
    const { addresses, publicClient, chainId } = devnet()
    expect(addressBookSchema.parse(addresses)).toEqual(addresses)
    expect(addresses.network).toBe('devnet')
    expect(chainId).toBe(31337)
    for (const address of addressBookContracts(addresses)) expect(((await publicClient.getCode({ address })) ?? '0x').length).toBeGreaterThan(2)
    const read = (address: Address, functionName: string) =>
      publicClient.readContract({ address, abi: [...vvvAbi, ...stakingAbi], functionName: functionName as 'owner' })
    expect(await read(addresses.vvv, 'owner')).toBe(addresses.staking)
    expect(await read(addresses.staking, 'venice')).toBe(addresses.vvv)
    expect(await read(addresses.staking, 'diem')).toBe(addresses.diem)
  })

  it('returns anvil’s funded dev accounts with matching private keys', async () => {
    const { accounts, publicClient } = devnet()
    expect(accounts).toHaveLength(10)
    for (const account of accounts) expect(privateKeyToAddress(account.privateKey)).toBe(account.address)
    expect(await publicClient.getBalance({ address: accounts[0]!.address })).toBe(parseEther('10000'))
  })

  it('fund() adds ETH and VVV; an impossible VVV amount fails with FaucetError', async () => {
    const { publicClient, addresses } = devnet()
    const who: Address = '0x000000000000000000000000000000000000bEEF'
    await devnet().fund(who, { eth: parseEther('2'), vvv: parseEther('123') })
    await devnet().fund(who, { eth: parseEther('1') })
    expect(await publicClient.getBalance({ address: who })).toBe(parseEther('3'))
    expect(await publicClient.readContract({ address: addresses.vvv, abi: erc20Abi, functionName: 'balanceOf', args: [who] })).toBe(parseEther('123'))
    await expect(devnet().fund(who, { vvv: parseEther('1000000000000') })).rejects.toBeInstanceOf(FaucetError)
  })

  it('snapshot/revert restores balances', async () => {
    const who: Address = '0x000000000000000000000000000000000000dEaD'
    const id = await devnet().snapshot()
    await devnet().fund(who, { eth: parseEther('5') })
    await devnet().revert(id)
    expect(await devnet().publicClient.getBalance({ address: who })).toBe(0n)
  })

  it('a busy port fails with PortInUseError', async () => {
    const port = Number(new URL(devnet().rpcUrl).port)
    await expect(startDevnet({ port })).rejects.toBeInstanceOf(PortInUseError)
  })

  it('stop() leaves no anvil behind', async () => {
    const other = await startDevnet()
    expect(isRunning(other.anvilPid)).toBe(true)
    await other.stop()
    expect(isRunning(other.anvilPid)).toBe(false)
    expect(await chainIdAt(other.rpcUrl)).toBeUndefined()
  })

  it('a state file persists the chain across restarts', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'gondola-devnet-')), 'state.json')
    const who: Address = '0x000000000000000000000000000000000000cafe'
    const first = await startDevnet({ stateFile })
    await first.fund(who, { vvv: parseEther('42') })
    await first.stop()
    const second = await startDevnet({ stateFile })
    try {
      expect(second.source).toBe('stateFile')
      expect(second.addresses).toEqual(first.addresses)
      expect(await second.publicClient.readContract({ address: second.addresses.vvv, abi: erc20Abi, functionName: 'balanceOf', args: [who] })).toBe(
        parseEther('42'),
      )
    } finally {
      await second.stop()
    }
  })
})

describe('gondola devnet --json', () => {
  function startCli(stateDir: string): { child: ChildProcess; firstLine: Promise<string> } {
    const child = spawn(process.execPath, ['bin/gondola.js', 'devnet', '--json'], {
      env: { ...process.env, GONDOLA_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const lines = createInterface({ input: child.stdout! })
    const firstLine = new Promise<string>((resolve, reject) => {
      lines.once('line', resolve)
      child.once('exit', (code) => reject(new Error(`gondola devnet exited with ${code} before printing`)))
    })
    return { child, firstLine }
  }

  it('prints one JSON line, answers eth_chainId, publishes the address book, and exits 0 on SIGTERM', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gondola-state-'))
    const { child, firstLine } = startCli(stateDir)
    const out = JSON.parse(await firstLine) as {
      rpcUrl: string
      chainId: number
      addresses: Record<string, Address>
      accounts: { address: Address }[]
      veniceBaseUrl: string
    }
    expect(Object.keys(out.addresses).sort()).toEqual([
      'aerodromeFactory',
      'aerodromeRouter',
      'diem',
      'factory',
      'multicall3',
      'positionManager',
      'quoter',
      'staking',
      'swapRouter',
      'vvv',
      'weth',
    ])
    expect(out.chainId).toBe(31337)
    expect(out.accounts).toHaveLength(10)
    expect(await chainIdAt(out.rpcUrl)).toBe('0x7a69')
    const book = readDevnetAddressBook(stateDir)
    expect(isAddressEqual(book.staking, out.addresses.staking!)).toBe(true)
    expect(book.vvv).not.toBe(zeroAddress)
    // The Venice emulator runs beside anvil.
    expect(out.veniceBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/)
    const models = (await (await fetch(`${out.veniceBaseUrl}/models`)).json()) as { data: unknown[] }
    expect(models.data.length).toBeGreaterThan(0)

    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    expect(await chainIdAt(out.rpcUrl)).toBeUndefined()
    await expect(fetch(`${out.veniceBaseUrl}/models`)).rejects.toThrow()
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
  })

  it('a SIGKILLed devnet process takes its anvil with it', async () => {
    const { child, firstLine } = startCli(mkdtempSync(join(tmpdir(), 'gondola-state-')))
    const { rpcUrl } = JSON.parse(await firstLine) as { rpcUrl: string }
    expect(await chainIdAt(rpcUrl)).toBe('0x7a69')
    child.kill('SIGKILL')
    await eventually('anvil to stop answering after its parent was killed', async () => (await chainIdAt(rpcUrl)) === undefined)
  })
})
