// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

interface IAeroFactory {
    function implementation() external view returns (address);
    function isPool(address pool) external view returns (bool);
}

interface IAeroPool {
    function getReserves() external view returns (uint256, uint256, uint256);
    function getAmountOut(uint256 amountIn, address tokenIn) external view returns (uint256);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

interface IWETHDeposit {
    function deposit() external payable;
    function transfer(address to, uint256 amount) external returns (bool);
}

/// @title Aerodrome-compatible Router (devnet)
/// @notice Written from Aerodrome's public `IRouter` (aerodrome-finance/contracts): the `Route`
/// struct {from, to, stable, factory}, `getAmountsOut` (a hop without a pool yields 0, it does not
/// revert), `getReserves`, `poolFor` (CREATE2 clone address, no lookup), `swapExactETHForTokens` and
/// `swapExactTokensForTokens` with a deadline, and the same custom errors. Only the default factory
/// is approved (mainnet asks a FactoryRegistry). The devnet installs the runtime code at Base's
/// router address (0xcF77a3Ba9A5CA399B7c97c74d54e5b1Beb874E43).
contract AerodromeRouter {
    using SafeERC20 for IERC20;

    struct Route {
        address from;
        address to;
        bool stable;
        address factory;
    }

    error Expired();
    error InsufficientOutputAmount();
    error InvalidPath();
    error PoolFactoryDoesNotExist();
    error SameAddresses();
    error ZeroAddress();
    error OnlyWETH();

    address public immutable defaultFactory;
    address public immutable weth;

    constructor(address _factory, address _weth) {
        defaultFactory = _factory;
        weth = _weth;
    }

    receive() external payable {
        if (msg.sender != weth) revert OnlyWETH();
    }

    modifier ensure(uint256 deadline) {
        if (deadline < block.timestamp) revert Expired();
        _;
    }

    function sortTokens(address tokenA, address tokenB) public pure returns (address token0, address token1) {
        if (tokenA == tokenB) revert SameAddresses();
        (token0, token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (token0 == address(0)) revert ZeroAddress();
    }

    function poolFor(address tokenA, address tokenB, bool stable, address _factory) public view returns (address pool) {
        address factory = _factory == address(0) ? defaultFactory : _factory;
        if (factory != defaultFactory) revert PoolFactoryDoesNotExist();
        (address t0, address t1) = sortTokens(tokenA, tokenB);
        pool = Clones.predictDeterministicAddress(IAeroFactory(factory).implementation(), keccak256(abi.encodePacked(t0, t1, stable)), factory);
    }

    function getReserves(address tokenA, address tokenB, bool stable, address _factory) public view returns (uint256 reserveA, uint256 reserveB) {
        (address t0, ) = sortTokens(tokenA, tokenB);
        (uint256 r0, uint256 r1, ) = IAeroPool(poolFor(tokenA, tokenB, stable, _factory)).getReserves();
        (reserveA, reserveB) = tokenA == t0 ? (r0, r1) : (r1, r0);
    }

    function getAmountsOut(uint256 amountIn, Route[] memory routes) public view returns (uint256[] memory amounts) {
        if (routes.length < 1) revert InvalidPath();
        amounts = new uint256[](routes.length + 1);
        amounts[0] = amountIn;
        for (uint256 i = 0; i < routes.length; i++) {
            address factory = routes[i].factory == address(0) ? defaultFactory : routes[i].factory;
            address pool = poolFor(routes[i].from, routes[i].to, routes[i].stable, factory);
            if (IAeroFactory(factory).isPool(pool)) amounts[i + 1] = IAeroPool(pool).getAmountOut(amounts[i], routes[i].from);
        }
    }

    function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, Route[] calldata routes, address to, uint256 deadline)
        external
        ensure(deadline)
        returns (uint256[] memory amounts)
    {
        amounts = getAmountsOut(amountIn, routes);
        if (amounts[amounts.length - 1] < amountOutMin) revert InsufficientOutputAmount();
        IERC20(routes[0].from).safeTransferFrom(msg.sender, poolFor(routes[0].from, routes[0].to, routes[0].stable, routes[0].factory), amounts[0]);
        _swap(amounts, routes, to);
    }

    function swapExactETHForTokens(uint256 amountOutMin, Route[] calldata routes, address to, uint256 deadline)
        external
        payable
        ensure(deadline)
        returns (uint256[] memory amounts)
    {
        if (routes[0].from != weth) revert InvalidPath();
        amounts = getAmountsOut(msg.value, routes);
        if (amounts[amounts.length - 1] < amountOutMin) revert InsufficientOutputAmount();
        IWETHDeposit(weth).deposit{value: amounts[0]}();
        if (!IWETHDeposit(weth).transfer(poolFor(routes[0].from, routes[0].to, routes[0].stable, routes[0].factory), amounts[0])) revert InvalidPath();
        _swap(amounts, routes, to);
    }

    /// @dev Each hop's output goes to the next hop's pool, the last to `_to`. Input already sent.
    function _swap(uint256[] memory amounts, Route[] memory routes, address _to) internal {
        for (uint256 i = 0; i < routes.length; i++) {
            (address t0, ) = sortTokens(routes[i].from, routes[i].to);
            uint256 out = amounts[i + 1];
            (uint256 out0, uint256 out1) = routes[i].from == t0 ? (uint256(0), out) : (out, uint256(0));
            address to = i < routes.length - 1 ? poolFor(routes[i + 1].from, routes[i + 1].to, routes[i + 1].stable, routes[i + 1].factory) : _to;
            IAeroPool(poolFor(routes[i].from, routes[i].to, routes[i].stable, routes[i].factory)).swap(out0, out1, to, new bytes(0));
        }
    }
}
