import { parseAbi } from 'viem'
import { stakingAbi } from '../../chain/abis/staking.js'

/**
 * Custom errors of every contract the wallet calls, so a revert decodes to its name whichever
 * contract raised it (e.g. the staking contract bubbling a DIEM or ERC-20 error).
 */
export const knownErrorsAbi = [
  // The live staking contract's named errors (StakeZero, CooldownNotOver, …), shared by DIEM's staking.
  ...stakingAbi.filter((item) => item.type === 'error'),
  ...parseAbi([
    // The devnet clone's minOut error and DIEM's mint guard (the live names are not published).
    'error InsufficientDiemOut(uint256 diemOut, uint256 minDiemAmountOut)',
    'error NotStakingContract()',
    // OpenZeppelin ERC-20 errors (VVV, DIEM).
    'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
    'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
    'error ERC20InvalidSender(address sender)',
    'error ERC20InvalidReceiver(address receiver)',
    'error ERC20InvalidApprover(address approver)',
    'error ERC20InvalidSpender(address spender)',
  ]),
] as const
