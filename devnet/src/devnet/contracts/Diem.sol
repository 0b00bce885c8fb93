// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title DIEM (devnet clone)
/// @notice ERC-20 with staking built in. Minted and burned only by the staking contract
/// (`mintDiem` / `burnDiem` there). Holders `stake` DIEM (one staked DIEM = $1 of Venice
/// compute per day), `initiateUnstake` starts a cooldown (`cooldownDuration`, 1 day) and
/// `unstake` returns the cooled-down amount. A new `initiateUnstake` adds to the amount
/// cooling down and restarts the timer.
contract Diem is ERC20 {
    struct StakedInfo {
        uint256 amountStaked;
        uint256 coolDownEnd;
        uint256 coolDownAmount;
    }

    error NotStakingContract();
    error StakeZero();
    error UnstakeZero();
    error InsufficientBalance();
    error NoCooldown();
    error CooldownNotOver();

    event Staked(address indexed account, uint256 amount);
    event UnstakeInitiated(address indexed account, uint256 amount, uint256 coolDownEnd);
    event Unstaked(address indexed account, uint256 amount);

    address public immutable stakingContract;
    uint256 public immutable cooldownDuration;
    uint256 public totalStaked;
    mapping(address => StakedInfo) public stakedInfos;

    constructor(address staking_, uint256 cooldownDuration_) ERC20("Diem", "DIEM") {
        stakingContract = staking_;
        cooldownDuration = cooldownDuration_;
    }

    modifier onlyStaking() {
        if (msg.sender != stakingContract) revert NotStakingContract();
        _;
    }

    function mint(address to, uint256 amount) external onlyStaking {
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external onlyStaking {
        _burn(from, amount);
    }

    function stake(uint256 amount) external {
        if (amount == 0) revert StakeZero();
        _transfer(msg.sender, address(this), amount);
        stakedInfos[msg.sender].amountStaked += amount;
        totalStaked += amount;
        emit Staked(msg.sender, amount);
    }

    function initiateUnstake(uint256 amount) external {
        if (amount == 0) revert UnstakeZero();
        StakedInfo storage info = stakedInfos[msg.sender];
        if (info.amountStaked < amount) revert InsufficientBalance();
        info.amountStaked -= amount;
        totalStaked -= amount;
        info.coolDownAmount += amount;
        info.coolDownEnd = block.timestamp + cooldownDuration;
        emit UnstakeInitiated(msg.sender, amount, info.coolDownEnd);
    }

    function unstake() external {
        StakedInfo storage info = stakedInfos[msg.sender];
        uint256 amount = info.coolDownAmount;
        if (amount == 0) revert NoCooldown();
        if (block.timestamp < info.coolDownEnd) revert CooldownNotOver();
        info.coolDownAmount = 0;
        info.coolDownEnd = 0;
        _transfer(address(this), msg.sender, amount);
        emit Unstaked(msg.sender, amount);
    }
}
