// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A tiny contract for the cast flow: one storage slot, one event, one revert reason.
contract Store {
    event Stored(address indexed who, uint256 indexed key, uint256 value);

    uint256 public value; // slot 0

    constructor(uint256 v) {
        value = v;
        emit Stored(msg.sender, 0, v);
    }

    function set(uint256 key, uint256 v) external {
        value = v;
        emit Stored(msg.sender, key, v);
    }

    function fail() external pure {
        require(false, "nope");
    }
}
