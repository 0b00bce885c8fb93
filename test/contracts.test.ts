import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  erc20Abi,
  parseEther,
  toFunctionSelector,
  toFunctionSignature,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { describe, expect, it } from 'vitest'
import { diemAbi, stakingAbi, vvvAbi } from '../src/chain/abis/index.js'
import { contractsInputHash, readContractSources } from '../devnet/src/devnet/compile/contractSources.js'
import { artifactsAreFresh, loadArtifacts } from '../devnet/src/devnet/compile/loadArtifacts.js'
import { devnetWallet, useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
const DAY = 24 * 3600
const { artifacts } = await loadArtifacts()
/** Custom errors of the devnet contracts, so reverts decode by name (the live DIEM ABI lists none). */
const devnetErrors = [...artifacts.contracts.Staking.abi, ...artifacts.contracts.Diem.abi].filter((item) => item.type === 'error')

/** Selectors of the functions and errors in an ABI. */
function selectors(abi: Abi): string[] {
  return abi
    .filter((item) => item.type === 'function' || item.type === 'error')
    .map((item) => toFunctionSelector(toFunctionSignature(item as never)))
    .sort()
}

/** The name of the custom error a failed call reverted with. */
async function revertName(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call
  } catch (err) {
    const revert = err instanceof ViemBaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : undefined
    if (revert instanceof ContractFunctionRevertedError) return revert.data?.errorName ?? revert.reason ?? 'unknown'
    throw err
  }
  return undefined
}

async function read<T>(address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return (await devnet().publicClient.readContract({ address, abi, functionName, args })) as T
}

/** Sends a contract call from dev account `index` after simulating it (so reverts surface with their error name). */
async function write(index: number, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<Hex> {
  const wallet = devnetWallet(devnet(), index)
  const { request } = await devnet().publicClient.simulateContract({ account: wallet.account, address, abi: [...abi, ...devnetErrors], functionName, args })
  // Padded gas: an estimate from one block can under-count timestamp-dependent writes in the next.
  const hash = await wallet.writeContract({ ...request, gas: 2_000_000n } as never)
  const receipt = await devnet().publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return hash
}

/** Funds dev account `index` with VVV and stakes it for itself. */
async function stakeVvv(index: number, amount: bigint): Promise<Address> {
  const { addresses, accounts } = devnet()
  const me = accounts[index]!.address
  await devnet().fund(me, { vvv: amount })
  await write(index, addresses.vvv, vvvAbi, 'approve', [addresses.staking, amount])
  await write(index, addresses.staking, stakingAbi, 'stake', [me, amount])
  return me
}

async function advance(seconds: number): Promise<void> {
  await devnet().testClient.increaseTime({ seconds })
  await devnet().testClient.mine({ blocks: 1 })
}

describe('artifact cache', () => {
  it('the committed artifacts were built from the current sources, and any source edit invalidates them', () => {
    expect(artifactsAreFresh()).toBe(true)
    const sources = readContractSources()
    const edited = { ...sources, 'Staking.sol': { content: `${sources['Staking.sol']!.content}\n// edit` } }
    expect(contractsInputHash(edited)).not.toBe(contractsInputHash(sources))
    expect(contractsInputHash(edited)).not.toBe(artifacts.inputHash)
  })
})

describe('ABI surface', () => {
  it('compiled contracts carry every function and error selector of the live ABIs', async () => {
    const pairs: [Abi, Abi][] = [
      [artifacts.contracts.Staking.abi, stakingAbi],
      [artifacts.contracts.Diem.abi, diemAbi],
      [artifacts.contracts.VVV.abi, vvvAbi],
    ]
    for (const [compiled, live] of pairs) {
      const have = new Set(selectors(compiled))
      expect(selectors(live).filter((s) => !have.has(s))).toEqual([])
    }
  })

  it('the deployed staking runtime code dispatches every live function selector', async () => {
    const code = (await devnet().publicClient.getCode({ address: devnet().addresses.staking }))!.toLowerCase()
    const missing = stakingAbi
      .filter((i) => i.type === 'function')
      .map((i) => toFunctionSelector(toFunctionSignature(i)))
      .filter((s) => !code.includes(`63${s.slice(2)}`))
    expect(missing).toEqual([])
  })
})

describe('Staking (sVVV)', () => {
  it('stake(recipient, amount) moves VVV in and mints sVVV 1:1; zero reverts StakeZero', async () => {
    const { addresses } = devnet()
    const me = await stakeVvv(1, parseEther('100'))
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOf', [me])).toBe(parseEther('100'))
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOfUnlocked', [me])).toBe(parseEther('100'))
    expect(await read<bigint>(addresses.vvv, erc20Abi, 'balanceOf', [addresses.staking])).toBe(parseEther('100'))
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'stake', [me, 0n]))).toBe('StakeZero')
  })

  it('rewards accrue at emissionRatePerSecond; claim mints VVV, claimAndStake mints sVVV', async () => {
    const { addresses, publicClient } = devnet()
    const me = await stakeVvv(1, parseEther('100'))
    const rate = await read<bigint>(addresses.staking, stakingAbi, 'emissionRatePerSecond')
    expect(rate).toBeGreaterThan(0n)
    const stakedAt = (await publicClient.getBlock()).timestamp
    await advance(1000)
    const now = (await publicClient.getBlock()).timestamp
    const pending = await read<bigint>(addresses.staking, stakingAbi, 'pendingRewards', [me])
    expect(rate * (now - stakedAt) - pending).toBeLessThan(1000n) // sole staker earns everything (rounding dust)
    expect(pending).toBeGreaterThan(0n)

    const vvvBefore = await read<bigint>(addresses.vvv, erc20Abi, 'balanceOf', [me])
    const claimHash = await write(1, addresses.staking, stakingAbi, 'claim')
    const claimedAt = (await publicClient.getBlock({ blockNumber: (await publicClient.getTransactionReceipt({ hash: claimHash })).blockNumber })).timestamp
    const claimed = (await read<bigint>(addresses.vvv, erc20Abi, 'balanceOf', [me])) - vvvBefore
    expect(rate * (claimedAt - stakedAt) - claimed).toBeLessThan(1000n)
    expect(await read<bigint>(addresses.staking, stakingAbi, 'pendingRewards', [me])).toBe(0n)

    await advance(500)
    const sBefore = await read<bigint>(addresses.staking, stakingAbi, 'balanceOf', [me])
    await write(1, addresses.staking, stakingAbi, 'claimAndStake')
    const restaked = (await read<bigint>(addresses.staking, stakingAbi, 'balanceOf', [me])) - sBefore
    expect(restaked).toBeGreaterThanOrEqual(rate * 500n - 1000n)
    expect(await read<bigint>(addresses.vvv, erc20Abi, 'balanceOf', [me])).toBe(vvvBefore + claimed)
  })

  it('sVVV locked behind DIEM earns 80 % of the normal yield', async () => {
    const { addresses } = devnet()
    const alice = await stakeVvv(1, parseEther('1000'))
    const bob = await stakeVvv(2, parseEther('1000'))
    await write(2, addresses.staking, stakingAbi, 'mintDiem', [parseEther('1000'), 0n])
    const a0 = await read<bigint>(addresses.staking, stakingAbi, 'pendingRewards', [alice])
    const b0 = await read<bigint>(addresses.staking, stakingAbi, 'pendingRewards', [bob])
    await advance(10_000)
    const a = (await read<bigint>(addresses.staking, stakingAbi, 'pendingRewards', [alice])) - a0
    const b = (await read<bigint>(addresses.staking, stakingAbi, 'pendingRewards', [bob])) - b0
    expect(Number((b * 10_000n) / a)).toBe(8000)
  })

  it('initiateUnstake starts the cooldown; finalizeUnstake reverts CooldownNotOver before it ends and pays after', async () => {
    const { addresses, publicClient } = devnet()
    const me = await stakeVvv(1, parseEther('50'))
    const cooldown = await read<bigint>(addresses.staking, stakingAbi, 'cooldownDuration')
    expect(cooldown).toBe(BigInt(7 * DAY))
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'finalizeUnstake'))).toBe('NoCooldown')
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'initiateUnstake', [0n]))).toBe('UnstakeZero')
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'initiateUnstake', [parseEther('51')]))).toBe('InsufficientBalance')

    await write(1, addresses.staking, stakingAbi, 'initiateUnstake', [parseEther('20')])
    const startedAt = (await publicClient.getBlock()).timestamp
    const [, cooldownEnd, cooldownAmount] = await read<[bigint, bigint, bigint]>(addresses.staking, stakingAbi, 'stakes', [me])
    expect(cooldownAmount).toBe(parseEther('20'))
    expect(cooldownEnd).toBe(startedAt + cooldown)
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOf', [me])).toBe(parseEther('30'))
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'initiateUnstake', [1n]))).toBe('CooldownInProgress')
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'finalizeUnstake'))).toBe('CooldownNotOver')

    await advance(7 * DAY)
    const before = await read<bigint>(addresses.vvv, erc20Abi, 'balanceOf', [me])
    await write(1, addresses.staking, stakingAbi, 'finalizeUnstake')
    expect((await read<bigint>(addresses.vvv, erc20Abi, 'balanceOf', [me])) - before).toBe(parseEther('20'))
    expect((await read<[bigint, bigint, bigint]>(addresses.staking, stakingAbi, 'stakes', [me]))[2]).toBe(0n)
  })

  it('mintDiem respects minOut and locks sVVV; burnDiem unlocks it', async () => {
    const { addresses } = devnet()
    const me = await stakeVvv(1, parseEther('1000'))
    const lock = parseEther('400')
    const quote = await read<bigint>(addresses.staking, stakingAbi, 'getDiemAmountOut', [lock])
    expect(quote).toBeGreaterThan(parseEther('3.9')) // ~100 sVVV per DIEM at an empty supply
    expect(quote).toBeLessThan(parseEther('4'))
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'mintDiem', [lock, quote + 1n]))).toBe('InsufficientDiemOut')

    await write(1, addresses.staking, stakingAbi, 'mintDiem', [lock, quote])
    expect(await read<bigint>(addresses.diem, diemAbi, 'balanceOf', [me])).toBe(quote)
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOf', [me])).toBe(parseEther('1000'))
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOfUnlocked', [me])).toBe(parseEther('600'))
    expect(await read<[bigint, bigint]>(addresses.staking, stakingAbi, 'lockedStakes', [me])).toEqual([lock, quote])
    expect(await read<bigint>(addresses.staking, stakingAbi, 'totalLockedStakedVVV')).toBe(lock)
    expect(await revertName(write(1, addresses.staking, stakingAbi, 'initiateUnstake', [parseEther('601')]))).toBe('InsufficientBalance')
    // The price rises with the DIEM supply.
    expect(await read<bigint>(addresses.staking, stakingAbi, 'getDiemAmountOut', [lock])).toBeLessThan(quote)

    await write(1, addresses.staking, stakingAbi, 'burnDiem', [quote / 2n])
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOfUnlocked', [me])).toBe(parseEther('800'))
    await write(1, addresses.staking, stakingAbi, 'burnDiem', [quote - quote / 2n])
    expect(await read<bigint>(addresses.staking, stakingAbi, 'balanceOfUnlocked', [me])).toBe(parseEther('1000'))
    expect(await read<bigint>(addresses.diem, diemAbi, 'balanceOf', [me])).toBe(0n)
    expect(await read<[bigint, bigint]>(addresses.staking, stakingAbi, 'lockedStakes', [me])).toEqual([0n, 0n])
  })
})

describe('DIEM', () => {
  it('is minted and burned only by the staking contract', async () => {
    const { addresses } = devnet()
    const diem = addresses.diem
    const mintAbi = [
      {
        type: 'function',
        name: 'mint',
        stateMutability: 'nonpayable',
        inputs: [
          { name: 'to', type: 'address' },
          { name: 'amount', type: 'uint256' },
        ],
        outputs: [],
      },
    ] as const
    expect(await revertName(write(1, diem, mintAbi, 'mint', [devnet().accounts[1]!.address, 1n]))).toBe('NotStakingContract')
    expect(await read<Address>(addresses.staking, stakingAbi, 'diem')).toBe(diem)
  })

  it('stake / initiateUnstake / unstake with a one-day cooldown', async () => {
    const { addresses, publicClient } = devnet()
    const me = await stakeVvv(1, parseEther('1000'))
    await write(1, addresses.staking, stakingAbi, 'mintDiem', [parseEther('500'), 0n])
    const diem = await read<bigint>(addresses.diem, diemAbi, 'balanceOf', [me])
    expect(await read<bigint>(addresses.diem, diemAbi, 'cooldownDuration')).toBe(BigInt(DAY))

    await write(1, addresses.diem, diemAbi, 'stake', [diem])
    expect(await read<bigint>(addresses.diem, diemAbi, 'balanceOf', [me])).toBe(0n)
    expect(await read<bigint>(addresses.diem, diemAbi, 'totalStaked')).toBe(diem)
    expect((await read<[bigint, bigint, bigint]>(addresses.diem, diemAbi, 'stakedInfos', [me]))[0]).toBe(diem)

    await write(1, addresses.diem, diemAbi, 'initiateUnstake', [diem])
    const startedAt = (await publicClient.getBlock()).timestamp
    expect(await read<[bigint, bigint, bigint]>(addresses.diem, diemAbi, 'stakedInfos', [me])).toEqual([0n, startedAt + BigInt(DAY), diem])
    expect(await read<bigint>(addresses.diem, diemAbi, 'totalStaked')).toBe(0n)
    expect(await revertName(write(1, addresses.diem, diemAbi, 'unstake'))).toBe('CooldownNotOver')

    await advance(DAY)
    await write(1, addresses.diem, diemAbi, 'unstake')
    expect(await read<bigint>(addresses.diem, diemAbi, 'balanceOf', [me])).toBe(diem)
  })
})
