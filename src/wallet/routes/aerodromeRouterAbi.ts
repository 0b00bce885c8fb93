import { parseAbi } from 'viem'

/**
 * Aerodrome Router on Base (0xcF77a3Ba9A5CA399B7c97c74d54e5b1Beb874E43): the subset the wallet uses,
 * with the router's custom errors so a revert decodes to its name.
 * Source: aerodrome-finance/contracts `contracts/Router.sol` / `interfaces/IRouter.sol`.
 */
export const aerodromeRouterAbi = parseAbi([
  'struct Route { address from; address to; bool stable; address factory; }',
  'function getAmountsOut(uint256 amountIn, Route[] routes) view returns (uint256[] amounts)',
  'function getReserves(address tokenA, address tokenB, bool stable, address _factory) view returns (uint256 reserveA, uint256 reserveB)',
  'function swapExactETHForTokens(uint256 amountOutMin, Route[] routes, address to, uint256 deadline) payable returns (uint256[] amounts)',
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, Route[] routes, address to, uint256 deadline) returns (uint256[] amounts)',
  'function poolFor(address tokenA, address tokenB, bool stable, address _factory) view returns (address pool)',
  'function defaultFactory() view returns (address)',
  'function weth() view returns (address)',
  'error Expired()',
  'error InsufficientOutputAmount()',
  'error InvalidPath()',
  'error PoolFactoryDoesNotExist()',
  'error SameAddresses()',
  'error ZeroAddress()',
])

/** Aerodrome PoolFactory / Pool reads (from `IPoolFactory` / `IPool`). */
export const aerodromePoolAbi = parseAbi([
  'function getPool(address tokenA, address tokenB, bool stable) view returns (address)',
  'function getFee(address pool, bool stable) view returns (uint256)',
  'function isPool(address pool) view returns (bool)',
  'function implementation() view returns (address)',
  'function getReserves() view returns (uint256 reserve0, uint256 reserve1, uint256 blockTimestampLast)',
  'function getAmountOut(uint256 amountIn, address tokenIn) view returns (uint256)',
  'function token0() view returns (address)',
  'function stable() view returns (bool)',
])
