import { parseAbi } from 'viem'

/**
 * Custom errors of every contract the wallet calls, so a revert decodes to its name whichever
 * contract raised it (e.g. the staking contract bubbling a DIEM or ERC-20 error).
 */
export const knownErrorsAbi = parseAbi([
  'error StakeZero()',
  'error UnstakeZero()',
  'error CooldownInProgress()',
  'error InsufficientBalance()',
  'error NoCooldown()',
  'error CooldownNotOver()',
  'error InsufficientDiemOut(uint256 diemOut, uint256 minDiemAmountOut)',
  'error NotStakingContract()',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InvalidSender(address sender)',
  'error ERC20InvalidReceiver(address receiver)',
  'error ERC20InvalidApprover(address approver)',
  'error ERC20InvalidSpender(address spender)',
])
