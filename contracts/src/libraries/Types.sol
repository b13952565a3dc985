// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A withdrawal initiated on L2 through the L2ToL1MessagePasser and finalized on L1 by the Portal.
/// @param nonce    Versioned nonce of the message passer (version 1 in the top 16 bits).
/// @param sender   The L2 account that initiated the withdrawal.
/// @param target   The L1 account that receives `value` OPEN and, if `data` is non-empty, the call.
/// @param value    OPEN (wei) released to `target` on L1.
/// @param gasLimit Gas forwarded to the call to `target` on L1.
/// @param data     Calldata of the call to `target` on L1 (no call when empty).
struct WithdrawalTransaction {
    uint256 nonce;
    address sender;
    address target;
    uint256 value;
    uint256 gasLimit;
    bytes data;
}

/// @notice The preimage of an output root (OP Stack's version 0).
/// @param version                  Output root version, always bytes32(0).
/// @param stateRoot                L2 state root at the output's block.
/// @param messagePasserStorageRoot Storage root of the L2ToL1MessagePasser at the output's block.
/// @param latestBlockhash          L2 block hash of the output's block.
struct OutputRootProof {
    bytes32 version;
    bytes32 stateRoot;
    bytes32 messagePasserStorageRoot;
    bytes32 latestBlockhash;
}
