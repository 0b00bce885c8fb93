import { erc20Abi, parseAbi } from 'viem'

/** ABI of the DIEM token on Base (0xF4d97F2da56e8c3098f3a8D538DB630A2606a024): ERC-20 with built-in staking. */
export const diemAbi = [
  ...erc20Abi,
  ...parseAbi([
    'function stake(uint256 amount)',
    'function initiateUnstake(uint256 amount)',
    'function unstake()',
    'function stakedInfos(address account) view returns (uint256 amountStaked, uint256 coolDownEnd, uint256 coolDownAmount)',
    'function cooldownDuration() view returns (uint256)',
    'function totalStaked() view returns (uint256)',
  ]),
] as const
