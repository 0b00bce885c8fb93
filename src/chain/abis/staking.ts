import { parseAbi } from 'viem'

/**
 * ABI of Venice's staking contract (sVVV), implementation `StakingV2`, as deployed on Base
 * at 0x321b7ff75154472B18EDb199033fF4D116F340Ff. Selectors here are those of the live contract;
 * the devnet's Solidity clone is checked against this list in its tests.
 */
export const stakingAbi = parseAbi([
  // write
  'function stake(address recipient, uint256 amount)',
  'function initiateUnstake(uint256 amount)',
  'function finalizeUnstake()',
  'function claim()',
  'function claimAndStake()',
  'function mintDiem(uint256 sVVVAmountToLock, uint256 minDiemAmountOut)',
  'function burnDiem(uint256 diemAmountToBurn)',
  // read
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
  'function balanceOfUnlocked(address account) view returns (uint256)',
  'function cooldownDuration() view returns (uint256)',
  'function stakes(address account) view returns (uint256 rewardDebt, uint256 cooldownEnd, uint256 cooldownAmount)',
  'function lockedStakes(address account) view returns (uint256 sVVVLockedAmount, uint256 outstandingDiemAmount)',
  'function pendingRewards(address account) view returns (uint256)',
  'function emissionRatePerSecond() view returns (uint256)',
  'function getDiemAmountOut(uint256 sVVVAmount) view returns (uint256)',
  'function totalLockedStakedVVV() view returns (uint256)',
  'function diem() view returns (address)',
  'function venice() view returns (address)',
  // errors
  'error StakeZero()',
  'error UnstakeZero()',
  'error CooldownInProgress()',
  'error InsufficientBalance()',
  'error NoCooldown()',
  'error CooldownNotOver()',
])
