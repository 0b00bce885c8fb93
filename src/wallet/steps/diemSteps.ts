import { formatEther } from 'viem'
import { diemAbi, stakingAbi } from '../../chain/abis/index.js'
import { applySlippageDown } from '../amounts.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError } from '../errors.js'
import { sendCall, type RunContext } from '../send/sendCall.js'
import type { StepResult } from '../send/types.js'
import { receivedAmount } from './receivedAmount.js'

/** Locks `svvvAmount` sVVV into DIEM: quote with `getDiemAmountOut`, minimum out from the policy slippage (or `minOut` if higher). */
export async function mintDiemStep(
  wallet: Wallet,
  run: RunContext,
  svvvAmount: bigint,
  options: { minOut?: bigint; knownUnlocked?: bigint } = {},
): Promise<{ step: StepResult; diemOut: bigint; minOut: bigint | undefined }> {
  const { staking, diem } = wallet.addresses
  let quote = 0n
  let minOut: bigint | undefined
  const step = await sendCall(wallet, run, 'mintDiem', async () => {
    const [unlocked, out] = await Promise.all([
      options.knownUnlocked ??
        wallet.publicClient.readContract({ address: staking, abi: stakingAbi, functionName: 'balanceOfUnlocked', args: [wallet.address] }),
      wallet.publicClient.readContract({ address: staking, abi: stakingAbi, functionName: 'getDiemAmountOut', args: [svvvAmount] }),
    ])
    if (unlocked < svvvAmount) {
      throw new InsufficientFundsError(
        `Minting DIEM with ${formatEther(svvvAmount)} sVVV needs that much unlocked sVVV; the wallet has ${formatEther(unlocked)}.`,
        {
          metaMessages: ['Stake more VVV first (`gondola stake`, or ensureStake).'],
          code: 'INSUFFICIENT_SVVV',
        },
      )
    }
    quote = out
    const bound = applySlippageDown(out, wallet.policy.maxSlippageBps)
    minOut = options.minOut !== undefined && options.minOut > bound ? options.minOut : bound
    return { label: `mint DIEM with ${formatEther(svvvAmount)} sVVV`, to: staking, abi: stakingAbi, functionName: 'mintDiem', args: [svvvAmount, minOut] }
  })
  return { step, diemOut: step.receipt ? receivedAmount(step.receipt, diem, wallet.address) : quote, minOut }
}

/** Stakes `amount` liquid DIEM (`DIEM.stake`). */
export async function stakeDiemStep(wallet: Wallet, run: RunContext, amount: bigint, options: { knownLiquid?: bigint } = {}): Promise<StepResult> {
  const { diem } = wallet.addresses
  return sendCall(wallet, run, 'stakeDiem', async () => {
    const liquid =
      options.knownLiquid ?? (await wallet.publicClient.readContract({ address: diem, abi: diemAbi, functionName: 'balanceOf', args: [wallet.address] }))
    if (liquid < amount) {
      throw new InsufficientFundsError(`Staking ${formatEther(amount)} DIEM needs that much liquid DIEM; the wallet has ${formatEther(liquid)}.`, {
        metaMessages: ['Mint DIEM first (`gondola diem mint --svvv <amount>`), or stake less.'],
        code: 'INSUFFICIENT_DIEM',
      })
    }
    return { label: `stake ${formatEther(amount)} DIEM`, to: diem, abi: diemAbi, functionName: 'stake', args: [amount] }
  })
}
