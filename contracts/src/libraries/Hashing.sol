// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WithdrawalTransaction, OutputRootProof} from "./Types.sol";

/// @title Hashing
/// @notice The hash rules shared by L1 and L2 (docs/contracts.md); the Rust side re-implements them.
library Hashing {
    /// @notice The only output root version.
    bytes32 internal constant OUTPUT_VERSION_V0 = bytes32(0);

    /// @notice Storage slot of `L2ToL1MessagePasser.sentMessages`.
    uint256 internal constant SENT_MESSAGES_SLOT = 0;

    /// @notice keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)).
    function hashWithdrawal(WithdrawalTransaction memory wd) internal pure returns (bytes32) {
        return keccak256(abi.encode(wd.nonce, wd.sender, wd.target, wd.value, wd.gasLimit, wd.data));
    }

    /// @notice keccak256(abi.encode(version, stateRoot, messagePasserStorageRoot, latestBlockhash)).
    function hashOutputRootProof(OutputRootProof memory proof) internal pure returns (bytes32) {
        return
            keccak256(abi.encode(proof.version, proof.stateRoot, proof.messagePasserStorageRoot, proof.latestBlockhash));
    }

    /// @notice The message passer storage slot holding `sentMessages[withdrawalHash]`.
    function withdrawalStorageSlot(bytes32 withdrawalHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(withdrawalHash, SENT_MESSAGES_SLOT));
    }

    /// @notice The secure-trie key of a withdrawal in the message passer's storage trie: keccak256(slot).
    function withdrawalTrieKey(bytes32 withdrawalHash) internal pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encode(withdrawalStorageSlot(withdrawalHash))));
    }

    /// @notice The next batch chain hash: keccak256(abi.encode(previous, firstBlock, lastBlock, dataHash)).
    function hashBatchChain(bytes32 previous, uint64 firstBlock, uint64 lastBlock, bytes32 dataHash)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(previous, firstBlock, lastBlock, dataHash));
    }
}
