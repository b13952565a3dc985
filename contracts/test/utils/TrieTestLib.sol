// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {Hashing} from "../../src/libraries/Hashing.sol";

/// @title TrieTestLib
/// @notice Builds valid Merkle-Patricia storage proofs for tests: a storage trie of the message passer that
///         holds exactly one slot, `sentMessages[withdrawalHash] = true`.
library TrieTestLib {
    /// @notice The single leaf node: rlp([hex-prefix(keccak256(slot), leaf), rlp(0x01)]).
    function leafNode(bytes32 withdrawalHash) internal pure returns (bytes memory) {
        bytes memory key = Hashing.withdrawalTrieKey(withdrawalHash); // 32 bytes = 64 nibbles, even
        bytes memory path = abi.encodePacked(bytes1(0x20), key); // hex-prefix: leaf flag, even length
        bytes[] memory items = new bytes[](2);
        items[0] = RLP.encode(path);
        items[1] = RLP.encode(bytes(hex"01")); // rlp(1) == 0x01, itself encoded as the byte 0x01
        return RLP.encode(items);
    }

    /// @notice Storage root and proof of a one-leaf trie holding the withdrawal.
    function singleLeafProof(bytes32 withdrawalHash) internal pure returns (bytes32 root, bytes[] memory proof) {
        bytes memory leaf = leafNode(withdrawalHash);
        proof = new bytes[](1);
        proof[0] = leaf;
        root = keccak256(leaf);
    }
}
