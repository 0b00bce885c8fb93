// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

interface IAerodromePoolInit {
    function initialize(address token0, address token1, bool stable) external;
}

/// @title Aerodrome-compatible PoolFactory (devnet)
/// @notice Written from Aerodrome's public `IPoolFactory`: pools are EIP-1167 clones of one
/// implementation at CREATE2 salt keccak256(token0, token1, stable), so the router derives a pool's
/// address without a lookup; `getFee` answers a pool's custom fee (420 meaning 0 %), else the
/// default of its kind (stable 0.05 %, volatile 0.3 %), capped at 1 %. The devnet installs the
/// runtime code at Base's factory address (0x420DD381b31aEf6683db6B902084cB0FFECe40Da).
contract AerodromePoolFactory {
    error FeeTooHigh();
    error ZeroFee();
    error InvalidPool();
    error NotFeeManager();
    error NotPauser();
    error PoolAlreadyExists();
    error SameAddress();
    error ZeroAddress();
    error FeeInvalid();

    event PoolCreated(address indexed token0, address indexed token1, bool indexed stable, address pool, uint256);
    event SetCustomFee(address indexed pool, uint256 fee);

    address public immutable implementation;

    // Slot 0: isPaused + pauser; slots 1–3: fees and fee manager (copied when the code is moved).
    bool public isPaused;
    address public pauser;
    uint256 public stableFee;
    uint256 public volatileFee;
    address public feeManager;

    uint256 public constant MAX_FEE = 100;
    uint256 public constant ZERO_FEE_INDICATOR = 420;

    mapping(address => mapping(address => mapping(bool => address))) private pools;
    address[] public allPools;
    mapping(address => bool) private pool_;
    mapping(address => uint256) public customFee;

    constructor(address _implementation, address _manager) {
        implementation = _implementation;
        pauser = _manager;
        feeManager = _manager;
        stableFee = 5;
        volatileFee = 30;
    }

    function allPoolsLength() external view returns (uint256) {
        return allPools.length;
    }

    function getPool(address tokenA, address tokenB, bool stable) external view returns (address) {
        return pools[tokenA][tokenB][stable];
    }

    /// @notice Uniswap-V2-style lookup: fee 0 = volatile, 1 = stable.
    function getPool(address tokenA, address tokenB, uint24 fee) external view returns (address) {
        if (fee > 1) return address(0);
        return pools[tokenA][tokenB][fee == 1];
    }

    function isPool(address pool) external view returns (bool) {
        return pool_[pool];
    }

    function getFee(address pool, bool stable) public view returns (uint256) {
        uint256 custom = customFee[pool];
        if (custom == ZERO_FEE_INDICATOR) return 0;
        if (custom != 0) return custom;
        return stable ? stableFee : volatileFee;
    }

    function setFee(bool stable, uint256 fee) external {
        if (msg.sender != feeManager) revert NotFeeManager();
        if (fee > MAX_FEE) revert FeeTooHigh();
        if (fee == 0) revert ZeroFee();
        if (stable) stableFee = fee;
        else volatileFee = fee;
    }

    function setCustomFee(address pool, uint256 fee) external {
        if (msg.sender != feeManager) revert NotFeeManager();
        if (fee > MAX_FEE && fee != ZERO_FEE_INDICATOR) revert FeeTooHigh();
        if (!pool_[pool]) revert InvalidPool();
        customFee[pool] = fee;
        emit SetCustomFee(pool, fee);
    }

    function setPauseState(bool state) external {
        if (msg.sender != pauser) revert NotPauser();
        isPaused = state;
    }

    function createPool(address tokenA, address tokenB, bool stable) public returns (address pool) {
        if (tokenA == tokenB) revert SameAddress();
        (address t0, address t1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (t0 == address(0)) revert ZeroAddress();
        if (pools[t0][t1][stable] != address(0)) revert PoolAlreadyExists();
        pool = Clones.cloneDeterministic(implementation, keccak256(abi.encodePacked(t0, t1, stable)));
        IAerodromePoolInit(pool).initialize(t0, t1, stable);
        pools[t0][t1][stable] = pool;
        pools[t1][t0][stable] = pool;
        allPools.push(pool);
        pool_[pool] = true;
        emit PoolCreated(t0, t1, stable, pool, allPools.length);
    }

    function createPool(address tokenA, address tokenB, uint24 fee) external returns (address) {
        if (fee > 1) revert FeeInvalid();
        return createPool(tokenA, tokenB, fee == 1);
    }
}
