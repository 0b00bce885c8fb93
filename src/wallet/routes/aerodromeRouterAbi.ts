import { parseAbi } from 'viem'

/**
 * Aerodrome Router on Base (0xcF77a3Ba9A5CA399B7c97c74d54e5b1Beb874E43): the subset the wallet uses.
 * Source: aerodrome-finance/contracts `contracts/interfaces/IRouter.sol`.
 */
export const aerodromeRouterAbi = parseAbi([
  'struct Route { address from; address to; bool stable; address factory; }',
  'function getAmountsOut(uint256 amountIn, Route[] routes) view returns (uint256[] amounts)',
  'function swapExactETHForTokens(uint256 amountOutMin, Route[] routes, address to, uint256 deadline) payable returns (uint256[] amounts)',
  'function poolFor(address tokenA, address tokenB, bool stable, address _factory) view returns (address pool)',
  'function weth() view returns (address)',
])
