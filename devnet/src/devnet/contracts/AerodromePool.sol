// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

interface IAerodromeFeeSource {
    function getFee(address pool, bool stable) external view returns (uint256);
    function isPaused() external view returns (bool);
}

/// @title Aerodrome-compatible pool (devnet)
/// @notice Written for the devnet from Aerodrome's public Pool interface (aerodrome-finance/contracts
/// `IPool`): same selectors and errors for what the runtime touches (`getAmountOut`, `getReserves`,
/// `swap`, `mint`, `token0/1`, `stable`, `factory`), and the same pricing:
///   - volatile: x·y = k, the pool fee (bps, from the factory's `getFee`) taken off the input;
///   - stable: x³y + y³x = k on 18-decimal-normalised reserves, solved for y by Newton steps.
/// Not reproduced: price observations/TWAP, fee claiming by LPs (fees leave the pool to the factory,
/// which keeps k's accounting the same as mainnet), ERC-20 transfers of LP shares, skim/burn.
/// Deployed once as an implementation; the factory clones it (EIP-1167) and calls `initialize`.
contract AerodromePool {
    using SafeERC20 for IERC20;

    error FactoryAlreadySet();
    error InsufficientLiquidityMinted();
    error InsufficientOutputAmount();
    error InsufficientInputAmount();
    error InsufficientLiquidity();
    error InvalidTo();
    error IsPaused();
    error K();
    error DepositsNotEqual();
    error BelowMinimumK();

    event Mint(address indexed sender, uint256 amount0, uint256 amount1);
    event Swap(address indexed sender, address indexed to, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out);
    event Sync(uint256 reserve0, uint256 reserve1);
    event Transfer(address indexed from, address indexed to, uint256 value);

    uint256 internal constant MINIMUM_LIQUIDITY = 1e3;
    uint256 internal constant MINIMUM_K = 1e10;

    address public factory;
    address public token0;
    address public token1;
    bool public stable;
    uint256 internal decimals0;
    uint256 internal decimals1;

    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public blockTimestampLast;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    uint256 private locked;

    modifier nonReentrant() {
        require(locked == 0, "reentrant");
        locked = 1;
        _;
        locked = 0;
    }

    /// @notice Called once by the factory right after cloning.
    function initialize(address _token0, address _token1, bool _stable) external {
        if (factory != address(0)) revert FactoryAlreadySet();
        factory = msg.sender;
        (token0, token1, stable) = (_token0, _token1, _stable);
        decimals0 = 10 ** IERC20Metadata(_token0).decimals();
        decimals1 = 10 ** IERC20Metadata(_token1).decimals();
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function tokens() external view returns (address, address) {
        return (token0, token1);
    }

    function getReserves() public view returns (uint256 _reserve0, uint256 _reserve1, uint256 _blockTimestampLast) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    /// @notice Output for `amountIn` of `tokenIn` at the current reserves, after the pool fee.
    function getAmountOut(uint256 amountIn, address tokenIn) external view returns (uint256) {
        uint256 fee = IAerodromeFeeSource(factory).getFee(address(this), stable);
        uint256 netIn = amountIn - (amountIn * fee) / 10000;
        return _amountOut(netIn, tokenIn == token0, reserve0, reserve1);
    }

    /// @notice Adds liquidity from the tokens already sent to the pool; LP shares to `to`.
    function mint(address to) external nonReentrant returns (uint256 liquidity) {
        (uint256 r0, uint256 r1) = (reserve0, reserve1);
        uint256 b0 = IERC20(token0).balanceOf(address(this));
        uint256 b1 = IERC20(token1).balanceOf(address(this));
        (uint256 a0, uint256 a1) = (b0 - r0, b1 - r1);
        if (totalSupply == 0) {
            liquidity = Math.sqrt(a0 * a1) - MINIMUM_LIQUIDITY;
            _mintShares(address(1), MINIMUM_LIQUIDITY);
            if (stable) {
                if ((a0 * 1e18) / decimals0 != (a1 * 1e18) / decimals1) revert DepositsNotEqual();
                if (_k(a0, a1) <= MINIMUM_K) revert BelowMinimumK();
            }
        } else {
            liquidity = Math.min((a0 * totalSupply) / r0, (a1 * totalSupply) / r1);
        }
        if (liquidity == 0) revert InsufficientLiquidityMinted();
        _mintShares(to, liquidity);
        _sync(b0, b1);
        emit Mint(msg.sender, a0, a1);
    }

    /// @notice Uniswap-V2-style swap: tokens out first, then the input (already sent) is measured,
    /// the fee on it leaves the pool, and the curve must not lose value.
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external nonReentrant {
        if (IAerodromeFeeSource(factory).isPaused()) revert IsPaused();
        if (amount0Out == 0 && amount1Out == 0) revert InsufficientOutputAmount();
        (uint256 r0, uint256 r1) = (reserve0, reserve1);
        if (amount0Out >= r0 || amount1Out >= r1) revert InsufficientLiquidity();
        if (to == token0 || to == token1) revert InvalidTo();
        if (data.length > 0) revert InvalidTo(); // flash-swap hooks are not offered on the devnet
        if (amount0Out > 0) IERC20(token0).safeTransfer(to, amount0Out);
        if (amount1Out > 0) IERC20(token1).safeTransfer(to, amount1Out);
        uint256 in0 = _inputOf(token0, r0 - amount0Out);
        uint256 in1 = _inputOf(token1, r1 - amount1Out);
        if (in0 == 0 && in1 == 0) revert InsufficientInputAmount();
        _settle(in0, in1, r0, r1);
        emit Swap(msg.sender, to, in0, in1, amount0Out, amount1Out);
    }

    /// @dev What arrived of `token` beyond what must stay after the optimistic transfer out.
    function _inputOf(address token, uint256 kept) internal view returns (uint256) {
        uint256 balance = IERC20(token).balanceOf(address(this));
        return balance > kept ? balance - kept : 0;
    }

    /// @dev The fee on each input leaves the pool; what remains must keep the curve's k.
    function _settle(uint256 in0, uint256 in1, uint256 r0, uint256 r1) internal {
        uint256 fee = IAerodromeFeeSource(factory).getFee(address(this), stable);
        if (in0 > 0) IERC20(token0).safeTransfer(factory, (in0 * fee) / 10000);
        if (in1 > 0) IERC20(token1).safeTransfer(factory, (in1 * fee) / 10000);
        uint256 b0 = IERC20(token0).balanceOf(address(this));
        uint256 b1 = IERC20(token1).balanceOf(address(this));
        if (_k(b0, b1) < _k(r0, r1)) revert K();
        _sync(b0, b1);
    }

    function sync() external nonReentrant {
        _sync(IERC20(token0).balanceOf(address(this)), IERC20(token1).balanceOf(address(this)));
    }

    function _sync(uint256 b0, uint256 b1) internal {
        (reserve0, reserve1, blockTimestampLast) = (b0, b1, block.timestamp);
        emit Sync(b0, b1);
    }

    function _mintShares(address to, uint256 amount) internal {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function _amountOut(uint256 netIn, bool zeroForOne, uint256 r0, uint256 r1) internal view returns (uint256) {
        (uint256 rIn, uint256 rOut) = zeroForOne ? (r0, r1) : (r1, r0);
        if (!stable) return (netIn * rOut) / (rIn + netIn);
        (uint256 dIn, uint256 dOut) = zeroForOne ? (decimals0, decimals1) : (decimals1, decimals0);
        uint256 k = _k(r0, r1);
        uint256 xIn = ((rIn + netIn) * 1e18) / dIn;
        uint256 yOut = (rOut * 1e18) / dOut;
        uint256 yAfter = _solveY(xIn, k, yOut);
        return yAfter >= yOut ? 0 : ((yOut - yAfter) * dOut) / 1e18;
    }

    /// @dev x³y + y³x on 18-decimal fixed point, for normalised x and y.
    function _curve(uint256 x, uint256 y) internal pure returns (uint256) {
        uint256 xy = (x * y) / 1e18;
        return (xy * ((x * x) / 1e18 + (y * y) / 1e18)) / 1e18;
    }

    function _k(uint256 b0, uint256 b1) internal view returns (uint256) {
        if (!stable) return b0 * b1;
        return _curve((b0 * 1e18) / decimals0, (b1 * 1e18) / decimals1);
    }

    /// @dev Least y with curve(x, y) ≥ k, by Newton's method from `y` (derivative x³ + 3xy²),
    /// then nudged up by single units so the pool never pays out past the curve.
    function _solveY(uint256 x, uint256 k, uint256 y) internal pure returns (uint256) {
        for (uint256 i = 0; i < 255; i++) {
            uint256 f = _curve(x, y);
            uint256 slope = (3 * x * ((y * y) / 1e18)) / 1e18 + (((x * x) / 1e18) * x) / 1e18;
            uint256 step = f > k ? ((f - k) * 1e18) / slope : ((k - f) * 1e18) / slope;
            if (step == 0) break;
            y = f > k ? y - step : y + step;
        }
        while (_curve(x, y) < k) y += 1;
        while (y > 0 && _curve(x, y - 1) >= k) y -= 1;
        return y;
    }
}
