// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title VVV (devnet clone)
/// @notice ERC-20, 18 decimals. Like the real token, its owner is the staking contract, which
/// mints staking emissions. The initial supply goes to the deployer (the devnet faucet reserve
/// and the Uniswap pool liquidity); the deployer then hands ownership to the staking contract.
contract VVV is ERC20, Ownable {
    constructor(address initialHolder, uint256 initialSupply) ERC20("Venice Token", "VVV") Ownable(msg.sender) {
        _mint(initialHolder, initialSupply);
    }

    /// @notice Mints emissions. Only the owner (the staking contract) may call it.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
