// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// A plain OpenZeppelin ERC-20 that mints the whole supply to the deployer.
contract TestToken is ERC20 {
    constructor(uint256 supply) ERC20("Tributary Test Token", "TTT") {
        _mint(msg.sender, supply);
    }
}
