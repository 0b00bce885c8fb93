/**
 * THE signing chokepoint. Every transaction the wallet sends goes through `sendCall`, which in order:
 * resumes a step an interrupted run already signed (never signing it twice), checks the spend
 * policy, simulates, signs with a nonce from the chain, journals hash + raw bytes, broadcasts,
 * waits for the receipt, journals the outcome, and turns a revert into a typed error.
 */
import { assertWalletLockHeld } from './heldLocks.js'
import { traceTransaction } from '../../telemetry/record.js'
import { encodeFunctionData, keccak256, type Abi, type TransactionReceipt } from 'viem'
import type { Wallet } from '../createWallet.js'
import { TransactionRevertedError } from '../errors.js'
import type { JournalRun } from '../journal/journal.js'
import { assertPolicy } from '../policy/policy.js'
import { feesPerGas } from './feesPerGas.js'
import { gasLimitFor } from './gasLimit.js'
import { settleStep } from './settleStep.js'
import { simulateCall } from './simulateCall.js'
import type { ContractCall, StepResult } from './types.js'

/** The state of one run that `sendCall` needs; created by `withRun`. */
export type RunContext = {
  key: string
  intent: string
  /** The journal record, created at the first signed step (a run that sends nothing leaves no trace). */
  record: JournalRun | undefined
  /** Steps of this call, in order. */
  steps: StepResult[]
}

/**
 * Sends the step `name` of a run, built lazily by `build` (not called when the step is resumed).
 *
 * @throws {PolicyViolationError} before signing.
 * @throws {TransactionRevertedError} on a simulated or on-chain revert, with the decoded error name.
 * @throws {ReceiptTimeoutError} when no receipt arrives in time (run the same call again to resume).
 *
 * @example
 * ```ts
 * await withRun(wallet, { intent: 'claim' }, (run) =>
 *   sendCall(wallet, run, 'claim', async () => ({ label: 'claim rewards', to: book.staking, abi: stakingAbi, functionName: 'claim', args: [] })))
 * ```
 */
export function sendCall(wallet: Wallet, run: RunContext, name: string, build: () => Promise<ContractCall>, attempt = 0): Promise<StepResult> {
  return wallet.dryRun
    ? sendCallUntraced(wallet, run, name, build, attempt)
    : traceTransaction(name, undefined, () => sendCallUntraced(wallet, run, name, build, attempt))
}

async function sendCallUntraced(wallet: Wallet, run: RunContext, name: string, build: () => Promise<ContractCall>, attempt: number): Promise<StepResult> {
  const resumed = await resumeStep(wallet, run, name)
  if (resumed) return push(run, resumed)

  const call = await build()
  const value = call.value ?? 0n
  assertPolicy(wallet.policy, {
    to: call.to,
    value,
    spentToday: wallet.journal.spentOnDay(wallet.now()),
    label: call.label,
    functionName: call.functionName,
    args: call.args,
  })

  if (wallet.dryRun) {
    // A step after an unsent planned step may depend on it (stake after approve): it cannot be simulated alone.
    const dependsOnPlanned = run.steps.some((s) => s.status === 'planned')
    let simulated = true
    try {
      await simulateCall(wallet, call)
    } catch (err) {
      if (!dependsOnPlanned || !(err instanceof TransactionRevertedError)) throw err
      simulated = false
    }
    return push(run, { name, label: call.label, status: 'planned', resumed: false, simulated, call })
  }

  const data = encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName, args: call.args } as never)
  await wallet.hooks.beforeSign?.({ name, label: call.label, to: call.to, value, data })
  const client = wallet.publicClient
  // Issued together with the simulation: one HTTP round trip when the transport batches (viem `batch: true`).
  const prepared = Promise.all([
    client.getTransactionCount({ address: wallet.address, blockTag: 'pending' }),
    feesPerGas(client),
    client.estimateGas({ account: wallet.address, to: call.to, data, value }),
    client.getBalance({ address: wallet.address }),
  ])
  prepared.catch(() => undefined) // a revert is reported by the simulation (decoded), not as an unhandled rejection
  await simulateCall(wallet, call)
  const [nonce, fees, gas, balance] = await prepared
  // value + gasLimit × maxFee must fit the balance (the node checks it up front): sized here, typed error if it cannot.
  const gasLimit = gasLimitFor({ estimate: gas, value, balance, maxFeePerGas: fees.maxFeePerGas, label: call.label, retry: attempt })
  // A lost wallet lock (Postgres restarted under a fleet treasury) means another process may be signing now.
  assertWalletLockHeld(wallet)
  const raw = await wallet.signer.signTransaction({
    type: 'eip1559',
    chainId: wallet.chainId,
    nonce,
    to: call.to,
    data,
    value,
    gas: gasLimit,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  })
  run.record ??= await wallet.journal.startRun(run.key, run.intent)
  const step = await wallet.journal.recordSigned(run.record, {
    name,
    label: call.label,
    to: call.to,
    value: value.toString(),
    data,
    nonce,
    hash: keccak256(raw),
    raw,
  })
  await wallet.hooks.afterSign?.(step)
  const settled = await settleStep(wallet, run.record, step, { fresh: true })
  if (settled.status === 'dropped') return sendCallUntraced(wallet, run, name, build, attempt)
  if (settled.status === 'reverted') {
    // Out of gas: re-estimate (the state moved on) and send once more with a larger, still balance-capped margin.
    if (outOfGas(settled.receipt, gasLimit) && attempt < MAX_OUT_OF_GAS_RETRIES) return sendCallUntraced(wallet, run, name, build, attempt + 1)
    await throwRevert(wallet, call, settled.receipt, gasLimit)
  }
  return push(run, { name, label: call.label, status: 'confirmed', hash: step.hash, receipt: settled.receipt, resumed: false, call })
}

/** A step the journal already holds for this run: confirmed → its receipt; signed → awaited or rebroadcast. */
async function resumeStep(wallet: Wallet, run: RunContext, name: string): Promise<StepResult | undefined> {
  const step = run.record?.steps.find((s) => s.name === name)
  if (!run.record || !step) return undefined
  if (step.status === 'confirmed' || step.status === 'signed') {
    const settled = await settleStep(wallet, run.record, step)
    if (settled.status === 'confirmed') return { name, label: step.label, status: 'confirmed', hash: step.hash, receipt: settled.receipt, resumed: true }
  }
  return undefined // reverted or dropped: build and send a new attempt
}

/** Re-estimates after an out-of-gas revert before giving up. */
const MAX_OUT_OF_GAS_RETRIES = 1

/**
 * Whether a revert ran out of gas. An inner call that runs out of gas gets 63/64 of what is left (EIP-150), and the
 * outer frame reverts with the rest: so "used at least 63/64 of the limit", not "used all of it".
 */
function outOfGas(receipt: TransactionReceipt, gasLimit: bigint): boolean {
  return receipt.gasUsed * 64n >= gasLimit * 63n
}

async function throwRevert(wallet: Wallet, call: ContractCall, receipt: TransactionReceipt, gasLimit: bigint): Promise<never> {
  if (outOfGas(receipt, gasLimit)) {
    throw new TransactionRevertedError(call.label, 'OutOfGas', 'onchain', receipt.transactionHash, {
      metaMessages: [
        `It used its whole gas limit (${gasLimit}), after a re-estimate. Check the ETH balance (the limit is capped by what it can pay), then run the command again.`,
      ],
    })
  }
  // Replay on the state before the block to decode the custom error.
  await simulateCall(wallet, call, { blockNumber: receipt.blockNumber - 1n, hash: receipt.transactionHash })
  throw new TransactionRevertedError(call.label, undefined, 'onchain', receipt.transactionHash, { metaMessages: ['Check balances and cooldowns, then retry.'] })
}

function push(run: RunContext, result: StepResult): StepResult {
  run.steps.push(result)
  return result
}
