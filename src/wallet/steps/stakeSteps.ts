import { formatEther } from 'viem'
import { stakingAbi, vvvAbi } from '../../chain/abis/index.js'
import type { Wallet } from '../createWallet.js'
import { InsufficientFundsError } from '../errors.js'
import { sendCall, type RunContext } from '../send/sendCall.js'
import type { StepResult } from '../send/types.js'

/**
 * Approve (only when the allowance is short, for exactly the amount: never maxUint256), then
 * `stake(self, amount)`. Shared by `stakeVvv`, `ensureStake` and `topUp`.
 *
 * `knownVvv` / `knownAllowance` let a caller that has just read them (and swapped, measuring the output
 * from the receipt) skip the reads: `ensureStake` does, which saves a chain request.
 */
export async function stakeSteps(
  wallet: Wallet,
  run: RunContext,
  amount: bigint,
  options: { knownVvv?: bigint; knownAllowance?: bigint } = {},
): Promise<StepResult[]> {
  const { vvv, staking } = wallet.addresses
  const steps: StepResult[] = []
  const [balance, allowance] = await Promise.all([
    options.knownVvv ?? wallet.publicClient.readContract({ address: vvv, abi: vvvAbi, functionName: 'balanceOf', args: [wallet.address] }),
    options.knownAllowance ?? wallet.publicClient.readContract({ address: vvv, abi: vvvAbi, functionName: 'allowance', args: [wallet.address, staking] }),
  ])
  const alreadyDone = run.record?.steps.some((s) => s.name === 'stake' && s.status === 'confirmed')
  if (!alreadyDone && balance < amount) {
    throw new InsufficientFundsError(`Staking ${formatEther(amount)} VVV needs that much VVV; the wallet holds ${formatEther(balance)}.`, {
      metaMessages: ['Swap ETH for VVV first (`gondola swap --eth …`), or stake less.'],
      code: 'INSUFFICIENT_VVV',
    })
  }
  const approvedBefore = run.record?.steps.some((s) => s.name === 'approve')
  if (allowance < amount || approvedBefore) {
    steps.push(
      await sendCall(wallet, run, 'approve', async () => ({
        label: `approve ${formatEther(amount)} VVV to staking`,
        to: vvv,
        abi: vvvAbi,
        functionName: 'approve',
        args: [staking, amount],
      })),
    )
  }
  steps.push(
    await sendCall(wallet, run, 'stake', async () => ({
      label: `stake ${formatEther(amount)} VVV`,
      to: staking,
      abi: stakingAbi,
      functionName: 'stake',
      args: [wallet.address, amount],
    })),
  )
  return steps
}
