import { erc20Abi, parseEventLogs, type Address, type TransactionReceipt } from 'viem'

/** Sum of ERC-20 `Transfer`s of `token` to `to` in a receipt: what a swap or mint really delivered. */
export function receivedAmount(receipt: TransactionReceipt, token: Address, to: Address): bigint {
  const logs = parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })
  return logs
    .filter((l) => l.address.toLowerCase() === token.toLowerCase() && l.args.to.toLowerCase() === to.toLowerCase())
    .reduce((sum, l) => sum + l.args.value, 0n)
}
