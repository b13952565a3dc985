// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Reverts in the two ways a dApp must be able to decode: a reason string and a custom error.
contract Reverter {
    error Custom(uint256 code, address who);

    uint256 public stored; // slot 0

    constructor(uint256 value) {
        stored = value;
    }

    function fail() external pure {
        require(false, "nope");
    }

    function failCustom() external view {
        revert Custom(42, msg.sender);
    }
}
