import { erc20Abi, parseAbi } from 'viem'

/** ABI of the VVV token on Base (0xacfE6019Ed1A7Dc6f7B508C02d1b04ec88cC21bf): ERC-20 whose owner (the staking contract) mints emissions. */
export const vvvAbi = [...erc20Abi, ...parseAbi(['function owner() view returns (address)'])] as const
