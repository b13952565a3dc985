// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Storage for tests/clients/proof-check.mjs: a few plain slots with values of different RLP shapes and a mapping
/// with enough entries that the storage trie has several levels.
contract ProofTarget {
    uint256 public small; // slot 0: < 0x80, a single-byte RLP value
    uint256 public big; // slot 1: a full 32-byte value
    address public owner; // slot 2: 20 bytes
    uint256 public cleared; // slot 3: set by the constructor, zeroed (deleted from the trie) by update()
    mapping(uint256 => uint256) public entries; // slot 4: entries[i] at keccak256(abi.encode(i, 4))

    constructor(uint256 n) {
        small = 7;
        big = type(uint256).max - 0x1234;
        owner = msg.sender;
        cleared = 1;
        for (uint256 i = 1; i <= n; ++i) entries[i] = (i << 8) | i;
    }

    function update(uint256 key, uint256 value) external {
        entries[key] = value;
        small += 1;
        cleared = 0;
    }
}
