import { authorizationTypes } from '@x402/evm'
import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  hashDomain,
  parseEventLogs,
  parseSignature,
  parseUnits,
  toFunctionSelector,
  toFunctionSignature,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { usdcAbi, usdcDomain } from '../src/chain/abis/usdc.js'
import { USDC_ADDRESS } from '../src/chain/addressBook.js'
import { loadArtifacts } from '../devnet/src/devnet/compile/loadArtifacts.js'
import { devnetWallet, useDevnet } from './helpers/useDevnet.js'

const devnet = useDevnet()
const { artifacts } = await loadArtifacts()
const USDC = (n: string): bigint => parseUnits(n, 6)

/** EIP-3009's receive type has the same fields as x402's transfer type, under another primary type. */
const receiveTypes = { ReceiveWithAuthorization: authorizationTypes.TransferWithAuthorization } as const
const cancelTypes = {
  CancelAuthorization: [
    { name: 'authorizer', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const
const permitTypes = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

function signer(index: number) {
  return privateKeyToAccount(devnet().accounts[index]!.privateKey)
}

function domain() {
  return usdcDomain(devnet().chainId, USDC_ADDRESS)
}

async function now(): Promise<bigint> {
  return (await devnet().publicClient.getBlock()).timestamp
}

function nonce(label: string): Hex {
  return toHex(label.padEnd(32, '.'), { size: 32 })
}

async function balance(address: Address): Promise<bigint> {
  return devnet().publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName: 'balanceOf', args: [address] })
}

/** The FiatToken revert string a call fails with, or undefined when it would succeed. */
async function revertReason(index: number, functionName: string, args: readonly unknown[]): Promise<string | undefined> {
  try {
    await devnet().publicClient.simulateContract({
      account: signer(index),
      address: USDC_ADDRESS,
      abi: usdcAbi,
      functionName: functionName as never,
      args: args as never,
    })
  } catch (err) {
    const revert = err instanceof ViemBaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : undefined
    if (revert instanceof ContractFunctionRevertedError) return revert.reason ?? revert.data?.errorName ?? 'unknown'
    throw err
  }
  return undefined
}

/** Sends a USDC call from dev account `index` (simulated first, so a revert throws with its reason). */
async function send(index: number, functionName: string, args: readonly unknown[]) {
  const { request } = await devnet().publicClient.simulateContract({
    account: signer(index),
    address: USDC_ADDRESS,
    abi: usdcAbi,
    functionName: functionName as never,
    args: args as never,
  })
  const hash = await devnetWallet(devnet(), index).writeContract({ ...request, gas: 500_000n } as never)
  const receipt = await devnet().publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return receipt
}

/** A TransferWithAuthorization from dev account `from`, signed with x402's own EIP-712 types. */
async function authorize(from: number, to: Address, value: bigint, window: { validAfter: bigint; validBefore: bigint }, label: string) {
  const message = { from: signer(from).address, to, value, ...window, nonce: nonce(label) }
  const signature = await signer(from).signTypedData({ domain: domain(), types: authorizationTypes, primaryType: 'TransferWithAuthorization', message })
  return { message, signature }
}

function args(m: { from: Address; to: Address; value: bigint; validAfter: bigint; validBefore: bigint; nonce: Hex }, signature: Hex): readonly unknown[] {
  return [m.from, m.to, m.value, m.validAfter, m.validBefore, m.nonce, signature]
}

function vrsArgs(m: Parameters<typeof args>[0], signature: Hex): readonly unknown[] {
  const { v, r, s } = parseSignature(signature)
  return [m.from, m.to, m.value, m.validAfter, m.validBefore, m.nonce, Number(v), r, s]
}

describe('USDC stand-in at Base’s address', () => {
  it('is FiatToken-shaped: name, symbol, 6 decimals, the "USD Coin"/"2" EIP-712 domain for this chain and address', async () => {
    const { publicClient, addresses } = devnet()
    expect(addresses.usdc).toBe(USDC_ADDRESS)
    const read = (functionName: 'name' | 'symbol' | 'decimals' | 'version' | 'DOMAIN_SEPARATOR') =>
      publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName })
    expect(await read('name')).toBe('USD Coin')
    expect(await read('symbol')).toBe('USDC')
    expect(Number(await read('decimals'))).toBe(6)
    expect(await read('version')).toBe('2')
    expect(await read('DOMAIN_SEPARATOR')).toBe(
      hashDomain({
        domain: { name: 'USD Coin', version: '2', chainId: BigInt(devnet().chainId), verifyingContract: USDC_ADDRESS },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
    )
  })

  it('carries every function selector of the FiatToken ABI the runtime uses', () => {
    const selectors = (abi: Abi) => abi.filter((item) => item.type === 'function').map((item) => toFunctionSelector(toFunctionSignature(item as never)))
    const compiled = new Set(selectors(artifacts.contracts.USDC.abi))
    expect(selectors(usdcAbi as Abi).filter((s) => !compiled.has(s))).toEqual([])
  })

  it('only a minter mints, within its allowance; the faucet mints for anyone', async () => {
    const me = signer(1).address
    expect(await revertReason(1, 'mint', [me, USDC('1')])).toBe('FiatToken: caller is not a minter')
    await devnet().fund(me, { usdc: USDC('25.5') })
    expect(await balance(me)).toBe(USDC('25.5'))
  })
})

describe('EIP-3009 (signed with @x402/evm authorizationTypes)', () => {
  it('transferWithAuthorization settles (bytes and v,r,s forms), emits AuthorizationUsed, and a replay reverts', async () => {
    const payer = signer(1).address
    const payee = signer(2).address
    await devnet().fund(payer, { usdc: USDC('10') })
    const t = await now()
    const first = await authorize(1, payee, USDC('5'), { validAfter: 0n, validBefore: t + 3600n }, 'x402-first')
    // Anyone may submit it (here a third account, as a facilitator would).
    const receipt = await send(3, 'transferWithAuthorization', args(first.message, first.signature))
    const used = parseEventLogs({ abi: usdcAbi, logs: receipt.logs, eventName: 'AuthorizationUsed' })
    expect(used.map((l) => l.args)).toEqual([{ authorizer: payer, nonce: first.message.nonce }])
    expect(await balance(payee)).toBe(USDC('5'))
    expect(
      await devnet().publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName: 'authorizationState', args: [payer, first.message.nonce] }),
    ).toBe(true)

    expect(await revertReason(3, 'transferWithAuthorization', args(first.message, first.signature))).toBe('FiatTokenV2: authorization is used or canceled')
    expect(await revertReason(3, 'transferWithAuthorization', vrsArgs(first.message, first.signature))).toBe('FiatTokenV2: authorization is used or canceled')

    const second = await authorize(1, payee, USDC('2'), { validAfter: 0n, validBefore: t + 3600n }, 'x402-second')
    await send(3, 'transferWithAuthorization', vrsArgs(second.message, second.signature))
    expect(await balance(payee)).toBe(USDC('7'))
    expect(await balance(payer)).toBe(USDC('3'))
  })

  it('refuses an expired, a not-yet-valid and a tampered authorization with FiatToken’s strings', async () => {
    const payee = signer(2).address
    await devnet().fund(signer(1).address, { usdc: USDC('10') })
    const t = await now()
    const expired = await authorize(1, payee, USDC('1'), { validAfter: 0n, validBefore: t }, 'expired')
    expect(await revertReason(3, 'transferWithAuthorization', args(expired.message, expired.signature))).toBe('FiatTokenV2: authorization is expired')
    const early = await authorize(1, payee, USDC('1'), { validAfter: t + 3600n, validBefore: t + 7200n }, 'early')
    expect(await revertReason(3, 'transferWithAuthorization', args(early.message, early.signature))).toBe('FiatTokenV2: authorization is not yet valid')
    const good = await authorize(1, payee, USDC('1'), { validAfter: 0n, validBefore: t + 3600n }, 'tampered')
    const more = { ...good.message, value: USDC('9') }
    expect(await revertReason(3, 'transferWithAuthorization', args(more, good.signature))).toBe('FiatTokenV2: invalid signature')
    // Signed for another chain: the domain binds the chain id.
    const otherChain = await signer(1).signTypedData({
      domain: usdcDomain(8453, USDC_ADDRESS),
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: good.message,
    })
    expect(await revertReason(3, 'transferWithAuthorization', args(good.message, otherChain))).toBe('FiatTokenV2: invalid signature')
  })

  it('receiveWithAuthorization: only the payee may submit it', async () => {
    const payer = signer(1).address
    const payee = signer(2).address
    await devnet().fund(payer, { usdc: USDC('10') })
    const message = { from: payer, to: payee, value: USDC('4'), validAfter: 0n, validBefore: (await now()) + 3600n, nonce: nonce('receive') }
    const signature = await signer(1).signTypedData({ domain: domain(), types: receiveTypes, primaryType: 'ReceiveWithAuthorization', message })
    expect(await revertReason(3, 'receiveWithAuthorization', args(message, signature))).toBe('FiatTokenV2: caller must be the payee')
    // A ReceiveWithAuthorization signature is not a TransferWithAuthorization one.
    expect(await revertReason(3, 'transferWithAuthorization', args(message, signature))).toBe('FiatTokenV2: invalid signature')
    await send(2, 'receiveWithAuthorization', vrsArgs(message, signature))
    expect(await balance(payee)).toBe(USDC('4'))
  })

  it('cancelAuthorization burns the nonce (AuthorizationCanceled); the authorization then reverts', async () => {
    const payer = signer(1).address
    await devnet().fund(payer, { usdc: USDC('10') })
    const auth = await authorize(1, signer(2).address, USDC('1'), { validAfter: 0n, validBefore: (await now()) + 3600n }, 'cancel-me')
    const cancel = await signer(1).signTypedData({
      domain: domain(),
      types: cancelTypes,
      primaryType: 'CancelAuthorization',
      message: { authorizer: payer, nonce: auth.message.nonce },
    })
    const receipt = await send(3, 'cancelAuthorization', [payer, auth.message.nonce, cancel])
    expect(parseEventLogs({ abi: usdcAbi, logs: receipt.logs, eventName: 'AuthorizationCanceled' }).map((l) => l.args)).toEqual([
      { authorizer: payer, nonce: auth.message.nonce },
    ])
    expect(await revertReason(3, 'transferWithAuthorization', args(auth.message, auth.signature))).toBe('FiatTokenV2: authorization is used or canceled')
    expect(await revertReason(3, 'cancelAuthorization', [payer, auth.message.nonce, cancel])).toBe('FiatTokenV2: authorization is used or canceled')
  })
})

describe('EIP-2612 permit', () => {
  it('sets the allowance and bumps the nonce; a replay and an expired permit revert', async () => {
    const owner = signer(1).address
    const spender = signer(2).address
    const read = <T>(functionName: 'nonces' | 'allowance', a: readonly unknown[]) =>
      devnet().publicClient.readContract({ address: USDC_ADDRESS, abi: usdcAbi, functionName, args: a as never }) as Promise<T>
    expect(await read<bigint>('nonces', [owner])).toBe(0n)
    const deadline = (await now()) + 3600n
    const message = { owner, spender, value: USDC('3'), nonce: 0n, deadline }
    const signature = await signer(1).signTypedData({ domain: domain(), types: permitTypes, primaryType: 'Permit', message })
    const { v, r, s } = parseSignature(signature)
    await send(3, 'permit', [owner, spender, USDC('3'), deadline, Number(v), r, s])
    expect(await read<bigint>('allowance', [owner, spender])).toBe(USDC('3'))
    expect(await read<bigint>('nonces', [owner])).toBe(1n)
    expect(await revertReason(3, 'permit', [owner, spender, USDC('3'), deadline, Number(v), r, s])).toBe('EIP2612: invalid signature')

    const stale = { ...message, nonce: 1n, deadline: (await now()) - 1n }
    const staleSig = await signer(1).signTypedData({ domain: domain(), types: permitTypes, primaryType: 'Permit', message: stale })
    expect(await revertReason(3, 'permit', [owner, spender, USDC('3'), stale.deadline, staleSig])).toBe('FiatTokenV2: permit is expired')

    // The allowance is spendable, with FiatToken's string past it.
    await devnet().fund(owner, { usdc: USDC('10') })
    expect(await revertReason(2, 'transferFrom', [owner, spender, USDC('4')])).toBe('ERC20: transfer amount exceeds allowance')
    await send(2, 'transferFrom', [owner, spender, USDC('3')])
    expect(await balance(spender)).toBe(USDC('3'))
  })
})
