// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @custom:predeploy 0x4200000000000000000000000000000000000015
/// @title L1Block
/// @notice Holds the attributes of the current L2 block's L1 origin (OP Stack's L1Block, Ecotone layout).
///         The L1-info system deposit, the first transaction of every L2 block, writes them with
///         `setL1BlockValuesEcotone()`; op-revm reads slots 1, 3, 7 and 8 directly to charge the L1 data fee,
///         so the storage layout below is OP's, slot for slot:
///
///         | slot | contents (low-order bytes first)                                          |
///         | ---- | ------------------------------------------------------------------------- |
///         | 0    | number (uint64, bytes 24..32) · timestamp (uint64, bytes 16..24)          |
///         | 1    | basefee (uint256)                                                         |
///         | 2    | hash (bytes32)                                                            |
///         | 3    | sequenceNumber (uint64) · blobBaseFeeScalar (uint32) · baseFeeScalar (uint32) |
///         | 4    | batcherHash (bytes32)                                                     |
///         | 5    | l1FeeOverhead (uint256, pre-Ecotone, unused)                              |
///         | 6    | l1FeeScalar (uint256, pre-Ecotone, unused)                                |
///         | 7    | blobBaseFee (uint256)                                                     |
///         | 8    | operatorFeeConstant (uint64) · operatorFeeScalar (uint32) (Isthmus, zero) |
///
///         Unlike other Tributary contracts it emits no event: it is written once per L2 block by a system
///         transaction whose inputs are public on L1 (as in OP Stack), and a log per block would only cost gas.
contract L1Block {
    /// @notice The depositor account: the sender of the L1-info system deposit (OP Stack's).
    address public constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice The L1 origin's block number (slot 0, low 8 bytes).
    uint64 public number;

    /// @notice The L1 origin's timestamp (slot 0, next 8 bytes).
    uint64 public timestamp;

    /// @notice The L1 origin's base fee (slot 1).
    uint256 public basefee;

    /// @notice The L1 origin's block hash (slot 2).
    bytes32 public hash;

    /// @notice L2 blocks since the L1 origin changed (slot 3, low 8 bytes).
    uint64 public sequenceNumber;

    /// @notice Scalar of the L1 blob base fee in the L1 data fee (slot 3, bytes 20..24).
    uint32 public blobBaseFeeScalar;

    /// @notice Scalar of the L1 base fee in the L1 data fee (slot 3, bytes 16..20).
    uint32 public baseFeeScalar;

    /// @notice The versioned hash that authenticates the batcher (slot 4).
    bytes32 public batcherHash;

    /// @notice Pre-Ecotone fee overhead (slot 5); kept for OP's layout, never written.
    uint256 public l1FeeOverhead;

    /// @notice Pre-Ecotone fee scalar (slot 6); kept for OP's layout, never written.
    uint256 public l1FeeScalar;

    /// @notice The L1 origin's blob base fee (slot 7).
    uint256 public blobBaseFee;

    /// @notice Isthmus operator fee constant (slot 8, low 8 bytes); zero on Tributary.
    uint64 public operatorFeeConstant;

    /// @notice Isthmus operator fee scalar (slot 8, bytes 20..24); zero on Tributary.
    uint32 public operatorFeeScalar;

    /// @notice The caller is not the depositor account (selector 0x3cc50b45, as OP's).
    error NotDepositor();

    /// @notice Sets the L1 origin's attributes (Ecotone). The parameters are packed into msg.data after the
    ///         selector (0x440a5e20) instead of ABI-encoded, in this order:
    ///           1. baseFeeScalar      uint32  (bytes 4..8)
    ///           2. blobBaseFeeScalar  uint32  (bytes 8..12)
    ///           3. sequenceNumber     uint64  (bytes 12..20)
    ///           4. timestamp          uint64  (bytes 20..28)
    ///           5. number             uint64  (bytes 28..36)
    ///           6. basefee            uint256 (bytes 36..68)
    ///           7. blobBaseFee        uint256 (bytes 68..100)
    ///           8. hash               bytes32 (bytes 100..132)
    ///           9. batcherHash        bytes32 (bytes 132..164)
    ///         Only the depositor account may call it.
    function setL1BlockValuesEcotone() external {
        address depositor = DEPOSITOR_ACCOUNT;
        assembly {
            if xor(caller(), depositor) {
                mstore(0x00, 0x3cc50b45) // NotDepositor()
                revert(0x1C, 0x04)
            }
            // sequenceNumber (uint64), blobBaseFeeScalar (uint32), baseFeeScalar (uint32)
            sstore(sequenceNumber.slot, shr(128, calldataload(4)))
            // number (uint64) and timestamp (uint64)
            sstore(number.slot, shr(128, calldataload(20)))
            sstore(basefee.slot, calldataload(36))
            sstore(blobBaseFee.slot, calldataload(68))
            sstore(hash.slot, calldataload(100))
            sstore(batcherHash.slot, calldataload(132))
        }
    }
}
