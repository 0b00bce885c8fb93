// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Diem} from "./Diem.sol";
import {VVV} from "./VVV.sol";

/// @title Venice staking, sVVV (devnet clone of StakingV2)
/// @notice Exposes exactly the live StakingV2 ABI (same selectors). VVV staked 1:1 into sVVV;
/// emissions of `emissionRatePerSecond` VVV are shared pro rata by weight, where sVVV locked
/// behind DIEM weighs 80 % (it earns 80 % of the normal yield). Rewards are minted by the VVV
/// token (this contract is its owner) on `claim`, or minted and staked on `claimAndStake`.
/// Unstaking is two steps: `initiateUnstake` burns sVVV and starts a `cooldownDuration`
/// cooldown (one at a time), `finalizeUnstake` pays the VVV back once it is over.
///
/// DIEM curve (`getDiemAmountOut`): the price of one DIEM starts at `DIEM_BASE_PRICE` sVVV and
/// rises linearly with the DIEM supply S, p(S) = BASE * (1 + S / DIEM_SUPPLY_SCALE), i.e. it
/// doubles once 10 000 DIEM are outstanding. Locking x sVVV buys the D that integrates p from S
/// to S + D: D = sqrt((K + S)^2 + 2 K x / BASE) - (K + S), with K = DIEM_SUPPLY_SCALE. The result
/// does not depend on how a mint is split. `burnDiem` releases locked sVVV pro rata.
contract Staking is ERC20, Ownable {
    struct StakeInfo {
        uint256 rewardDebt;
        uint256 cooldownEnd;
        uint256 cooldownAmount;
    }

    struct LockedStake {
        uint256 sVVVLockedAmount;
        uint256 outstandingDiemAmount;
    }

    error StakeZero();
    error UnstakeZero();
    error CooldownInProgress();
    error InsufficientBalance();
    error NoCooldown();
    error CooldownNotOver();
    error InsufficientDiemOut(uint256 diemOut, uint256 minDiemAmountOut);

    event Staked(address indexed from, address indexed recipient, uint256 amount);
    event UnstakeInitiated(address indexed account, uint256 amount, uint256 cooldownEnd);
    event UnstakeFinalized(address indexed account, uint256 amount);
    event Claimed(address indexed account, uint256 amount, bool restaked);
    event DiemMinted(address indexed account, uint256 sVVVLocked, uint256 diemAmount);
    event DiemBurned(address indexed account, uint256 sVVVUnlocked, uint256 diemAmount);

    uint256 public constant LOCKED_YIELD_BPS = 8_000;
    uint256 public constant DIEM_BASE_PRICE = 100;
    uint256 public constant DIEM_SUPPLY_SCALE = 10_000 ether;
    uint256 private constant ACC_PRECISION = 1e18;

    VVV public immutable venice;
    Diem public immutable diem;
    uint256 public cooldownDuration;
    uint256 public emissionRatePerSecond;
    uint256 public totalLockedStakedVVV;
    uint256 public accRewardPerWeight;
    uint256 public lastRewardTime;

    mapping(address => StakeInfo) public stakes;
    mapping(address => LockedStake) public lockedStakes;
    mapping(address => uint256) private _accrued;

    constructor(VVV venice_, uint256 cooldownDuration_, uint256 emissionRatePerSecond_, uint256 diemCooldownDuration_)
        ERC20("Staked VVV", "sVVV")
        Ownable(msg.sender)
    {
        venice = venice_;
        cooldownDuration = cooldownDuration_;
        emissionRatePerSecond = emissionRatePerSecond_;
        diem = new Diem(address(this), diemCooldownDuration_);
        lastRewardTime = block.timestamp;
    }

    // ---------------------------------------------------------------- staking

    function stake(address recipient, uint256 amount) external {
        if (amount == 0) revert StakeZero();
        venice.transferFrom(msg.sender, address(this), amount);
        _mint(recipient, amount);
        emit Staked(msg.sender, recipient, amount);
    }

    function initiateUnstake(uint256 amount) external {
        if (amount == 0) revert UnstakeZero();
        StakeInfo storage info = stakes[msg.sender];
        if (info.cooldownAmount != 0) revert CooldownInProgress();
        if (balanceOfUnlocked(msg.sender) < amount) revert InsufficientBalance();
        _burn(msg.sender, amount);
        info.cooldownAmount = amount;
        info.cooldownEnd = block.timestamp + cooldownDuration;
        emit UnstakeInitiated(msg.sender, amount, info.cooldownEnd);
    }

    function finalizeUnstake() external {
        StakeInfo storage info = stakes[msg.sender];
        uint256 amount = info.cooldownAmount;
        if (amount == 0) revert NoCooldown();
        if (block.timestamp < info.cooldownEnd) revert CooldownNotOver();
        info.cooldownAmount = 0;
        info.cooldownEnd = 0;
        venice.transfer(msg.sender, amount);
        emit UnstakeFinalized(msg.sender, amount);
    }

    // ---------------------------------------------------------------- rewards

    function claim() external {
        uint256 amount = _takeRewards(msg.sender);
        if (amount != 0) venice.mint(msg.sender, amount);
        emit Claimed(msg.sender, amount, false);
    }

    function claimAndStake() external {
        uint256 amount = _takeRewards(msg.sender);
        if (amount != 0) {
            venice.mint(address(this), amount);
            _mint(msg.sender, amount);
        }
        emit Claimed(msg.sender, amount, true);
    }

    function pendingRewards(address account) external view returns (uint256) {
        uint256 acc = accRewardPerWeight;
        uint256 weight = totalWeight();
        if (block.timestamp > lastRewardTime && weight != 0) {
            acc += ((block.timestamp - lastRewardTime) * emissionRatePerSecond * ACC_PRECISION) / weight;
        }
        return _accrued[account] + (_weightOf(account) * acc) / ACC_PRECISION - stakes[account].rewardDebt;
    }

    /// @notice Sum of all weights: unlocked sVVV counts fully, locked sVVV at LOCKED_YIELD_BPS.
    function totalWeight() public view returns (uint256) {
        return totalSupply() - (totalLockedStakedVVV * (10_000 - LOCKED_YIELD_BPS)) / 10_000;
    }

    // ---------------------------------------------------------------- DIEM

    function balanceOfUnlocked(address account) public view returns (uint256) {
        return balanceOf(account) - lockedStakes[account].sVVVLockedAmount;
    }

    function getDiemAmountOut(uint256 sVVVAmount) public view returns (uint256) {
        uint256 base = DIEM_SUPPLY_SCALE + diem.totalSupply();
        return Math.sqrt(base * base + (2 * DIEM_SUPPLY_SCALE * sVVVAmount) / DIEM_BASE_PRICE) - base;
    }

    function mintDiem(uint256 sVVVAmountToLock, uint256 minDiemAmountOut) external {
        if (sVVVAmountToLock == 0) revert StakeZero();
        if (balanceOfUnlocked(msg.sender) < sVVVAmountToLock) revert InsufficientBalance();
        uint256 diemOut = getDiemAmountOut(sVVVAmountToLock);
        if (diemOut == 0 || diemOut < minDiemAmountOut) revert InsufficientDiemOut(diemOut, minDiemAmountOut);
        _checkpoint(msg.sender);
        LockedStake storage locked = lockedStakes[msg.sender];
        locked.sVVVLockedAmount += sVVVAmountToLock;
        locked.outstandingDiemAmount += diemOut;
        totalLockedStakedVVV += sVVVAmountToLock;
        _resetDebt(msg.sender);
        diem.mint(msg.sender, diemOut);
        emit DiemMinted(msg.sender, sVVVAmountToLock, diemOut);
    }

    function burnDiem(uint256 diemAmountToBurn) external {
        if (diemAmountToBurn == 0) revert UnstakeZero();
        LockedStake storage locked = lockedStakes[msg.sender];
        if (locked.outstandingDiemAmount < diemAmountToBurn) revert InsufficientBalance();
        uint256 unlock = diemAmountToBurn == locked.outstandingDiemAmount
            ? locked.sVVVLockedAmount
            : (locked.sVVVLockedAmount * diemAmountToBurn) / locked.outstandingDiemAmount;
        diem.burn(msg.sender, diemAmountToBurn);
        _checkpoint(msg.sender);
        locked.outstandingDiemAmount -= diemAmountToBurn;
        locked.sVVVLockedAmount -= unlock;
        totalLockedStakedVVV -= unlock;
        _resetDebt(msg.sender);
        emit DiemBurned(msg.sender, unlock, diemAmountToBurn);
    }

    // ---------------------------------------------------------------- owner

    function setEmissionRatePerSecond(uint256 rate) external onlyOwner {
        _updatePool();
        emissionRatePerSecond = rate;
    }

    function setCooldownDuration(uint256 duration) external onlyOwner {
        cooldownDuration = duration;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Every balance change settles rewards first; locked sVVV cannot move.
    function _update(address from, address to, uint256 value) internal override {
        _updatePool();
        _settle(from);
        _settle(to);
        if (from != address(0) && balanceOfUnlocked(from) < value) revert InsufficientBalance();
        super._update(from, to, value);
        _resetDebt(from);
        _resetDebt(to);
    }

    function _takeRewards(address account) private returns (uint256 amount) {
        _checkpoint(account);
        _resetDebt(account);
        amount = _accrued[account];
        _accrued[account] = 0;
    }

    function _checkpoint(address account) private {
        _updatePool();
        _settle(account);
    }

    function _updatePool() private {
        if (block.timestamp <= lastRewardTime) return;
        uint256 weight = totalWeight();
        if (weight != 0) {
            accRewardPerWeight += ((block.timestamp - lastRewardTime) * emissionRatePerSecond * ACC_PRECISION) / weight;
        }
        lastRewardTime = block.timestamp;
    }

    function _settle(address account) private {
        if (account == address(0)) return;
        _accrued[account] += (_weightOf(account) * accRewardPerWeight) / ACC_PRECISION - stakes[account].rewardDebt;
    }

    function _resetDebt(address account) private {
        if (account == address(0)) return;
        stakes[account].rewardDebt = (_weightOf(account) * accRewardPerWeight) / ACC_PRECISION;
    }

    function _weightOf(address account) private view returns (uint256) {
        return balanceOf(account) - (lockedStakes[account].sVVVLockedAmount * (10_000 - LOCKED_YIELD_BPS)) / 10_000;
    }
}
