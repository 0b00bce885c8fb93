import { BaseError as ViemBaseError, ContractFunctionRevertedError, type Abi } from 'viem'
import type { Wallet } from '../createWallet.js'
import { TransactionRevertedError } from '../errors.js'
import { knownErrorsAbi } from './knownErrors.js'
import type { ContractCall } from './types.js'

/**
 * Runs `call` as an `eth_call` from the wallet (viem `simulateContract`). A revert becomes a
 * {@link TransactionRevertedError} carrying the decoded custom error name; other failures
 * (transport, …) are rethrown unchanged.
 *
 * @example
 * ```ts
 * await simulateCall(wallet, { label: 'finalize unstake', to: book.staking, abi: stakingAbi, functionName: 'finalizeUnstake', args: [] })
 * // throws TransactionRevertedError { errorName: 'NoCooldown' } when nothing is cooling down
 * ```
 */
export async function simulateCall(wallet: Wallet, call: ContractCall, options: { blockNumber?: bigint; hash?: `0x${string}` } = {}): Promise<void> {
  try {
    await wallet.publicClient.simulateContract({
      account: wallet.address,
      address: call.to,
      abi: [...call.abi, ...knownErrorsAbi] as Abi,
      functionName: call.functionName,
      args: call.args,
      value: call.value,
      blockNumber: options.blockNumber,
    } as never)
  } catch (err) {
    const reverted = err instanceof ViemBaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null
    if (!(reverted instanceof ContractFunctionRevertedError)) throw err
    const errorName = revertName(reverted)
    throw new TransactionRevertedError(call.label, errorName, options.hash ? 'onchain' : 'simulation', options.hash, {
      cause: err,
      details: reverted.shortMessage,
      metaMessages: [hintFor(errorName)],
    })
  }
}

function revertName(err: ContractFunctionRevertedError): string | undefined {
  if (err.data?.errorName && err.data.errorName !== 'Error') return err.data.errorName
  return err.reason ?? err.signature ?? undefined
}

const hints: Record<string, string> = {
  CooldownNotOver: 'Wait until the cooldown ends (see `gondola wallet balance`).',
  CooldownInProgress: 'Finish the running unstake first (`gondola unstake finish` once its cooldown ends).',
  NoCooldown: 'Start an unstake first.',
  InsufficientBalance: 'The amount exceeds what is available; check `gondola wallet balance`.',
  StakeZero: 'Give a positive amount.',
  UnstakeZero: 'Give a positive amount.',
  InsufficientDiemOut: 'The DIEM price moved; run again for a fresh quote.',
  'Too little received': 'The price moved beyond the slippage bound; run again for a fresh quote.',
}

function hintFor(errorName: string | undefined): string {
  return (errorName && hints[errorName]) ?? 'Check the inputs and balances (`gondola wallet balance`), then retry.'
}
