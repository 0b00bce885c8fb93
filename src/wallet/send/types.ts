import type { Abi, Address, Hex, TransactionReceipt } from 'viem'

/** One contract call the wallet may send. Every outgoing transaction is described this way. */
export type ContractCall = {
  /** Human label for messages and the journal, e.g. `swap 0.01 ETH → VVV`. */
  label: string
  to: Address
  abi: Abi
  functionName: string
  args: readonly unknown[]
  /** Wei sent along (swaps only). */
  value?: bigint | undefined
}

/** What happened to one step of a run. */
export type StepResult = {
  name: string
  label: string
  /** `planned` in dry-run mode: simulated (when possible), not sent. */
  status: 'confirmed' | 'planned'
  hash?: Hex | undefined
  receipt?: TransactionReceipt | undefined
  /** True when the step had been sent by an earlier, interrupted run and was only awaited now. */
  resumed: boolean
  /** Dry run: whether simulation could check this step (a step depending on an unsent earlier one cannot be). */
  simulated?: boolean | undefined
  call?: ContractCall | undefined
}
