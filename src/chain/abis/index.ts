export { stakingAbi } from './staking.js'
export { diemAbi } from './diem.js'
export { vvvAbi } from './vvv.js'
export { quoterV2Abi, swapRouter02Abi, uniswapV3FactoryAbi, uniswapV3PoolAbi, wethAbi } from './uniswap.js'
