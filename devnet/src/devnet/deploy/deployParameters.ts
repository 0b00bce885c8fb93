import { parseEther, parseUnits, type Hex } from 'viem'

/**
 * Knobs of a devnet deployment, with mainnet-like defaults.
 *
 * Pool price: 1 VVV = 0.001 ETH (fee tier 0.3 %), seeded full-range with 1 000 WETH and
 * 1 000 000 VVV, so a 1 ETH swap moves the price by ~0.2 % plus the 0.3 % fee.
 *
 * Aerodrome volatile pool (fee 0.3 %): 5 000 WETH and 4 900 000 VVV, i.e. five times deeper but 2 % dearer
 * (1 VVV ≈ 0.00102 ETH). Small swaps are best on Uniswap; past ≈ 25 ETH, or once a trade has moved the
 * Uniswap price, Aerodrome wins — the venue choice is a real decision on the devnet.
 *
 * USDC: 1 ETH = 3 000 USDC on Uniswap V3's 0.05 % tier (Base's main WETH/USDC tier), 1 000 WETH and 3 000 000 USDC
 * full range; Aerodrome's volatile pool (0.3 %) is five times deeper and 2 % dearer in USDC (1 ETH ≈ 2 940 USDC:
 * 5 000 WETH and 14 700 000 USDC). With VVV at 0.001 ETH that puts VVV at ≈ $3.
 */
export type DeployParameters = {
  /** sVVV unstake cooldown (s). Mainnet: 7 days. */
  stakingCooldownSeconds: number
  /** DIEM unstake cooldown (s). Mainnet: 1 day. */
  diemCooldownSeconds: number
  /** VVV emitted to stakers per second (wei). Default 0.44 VVV/s ≈ 14 M VVV a year. */
  emissionRatePerSecond: bigint
  /** VVV minted to the deployer at genesis (faucet reserve + pool liquidity). */
  vvvInitialSupply: bigint
  /** Pool liquidity, both sides (wei). Their ratio sets the price. */
  poolWeth: bigint
  poolVvv: bigint
  /** Uniswap fee tier of the VVV/WETH pool. */
  poolFee: 3000 | 10000
  /** Aerodrome volatile WETH/VVV pool liquidity (wei), both sides. */
  aerodromeWeth: bigint
  aerodromeVvv: bigint
  /** USDC the deployer may mint (base units, 6 decimals): pool liquidity and the faucet. */
  usdcMinterAllowance: bigint
  /** Uniswap V3 WETH/USDC pool: fee tier and liquidity (wei, USDC base units). Their ratio sets the ETH price. */
  usdcPoolFee: 500 | 3000 | 10000
  usdcPoolWeth: bigint
  usdcPoolUsdc: bigint
  /** Aerodrome volatile WETH/USDC pool liquidity (wei, USDC base units). */
  aerodromeUsdcWeth: bigint
  aerodromeUsdc: bigint
}

/** The devnet's ETH price in USD: what its Uniswap WETH/USDC pool is seeded at (`usdcPoolUsdc / usdcPoolWeth`). */
export const DEVNET_ETH_USD = 3_000

export const defaultDeployParameters: DeployParameters = {
  stakingCooldownSeconds: 7 * 24 * 3600,
  diemCooldownSeconds: 24 * 3600,
  emissionRatePerSecond: parseEther('0.44'),
  vvvInitialSupply: parseEther('100000000'),
  poolWeth: parseEther('1000'),
  poolVvv: parseEther('1000000'),
  poolFee: 3000,
  aerodromeWeth: parseEther('5000'),
  aerodromeVvv: parseEther('4900000'),
  usdcMinterAllowance: parseUnits('1000000000000', 6),
  usdcPoolFee: 500,
  usdcPoolWeth: parseEther('1000'),
  usdcPoolUsdc: parseUnits(String(1_000 * DEVNET_ETH_USD), 6),
  aerodromeUsdcWeth: parseEther('5000'),
  aerodromeUsdc: parseUnits('14700000', 6),
}

/**
 * The devnet deployer and faucet key (not one of anvil's dev accounts, so tests can use all of
 * those freely): keccak256("gondola devnet deployer"). Public on purpose: it only ever holds devnet funds.
 */
export const DEVNET_DEPLOYER_PRIVATE_KEY: Hex = '0xdb11fa803c6e6d7b0d3dfadcac36f518b94968d06c5424d5792e82e2fd784f5e'
