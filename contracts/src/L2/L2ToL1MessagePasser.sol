// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Burn} from "../libraries/Burn.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {WithdrawalTransaction} from "../libraries/Types.sol";

/// @custom:predeploy 0x4200000000000000000000000000000000000016
/// @title L2ToL1MessagePasser
/// @notice The L2 end of withdrawals (OP Stack's, storage-compatible): records the hash of every withdrawal in
///         `sentMessages` (storage slot 0), which the L1 Portal proves against an output root's
///         messagePasserStorageRoot. The native OPEN sent with withdrawals is burned with `burn()`.
contract L2ToL1MessagePasser {
    /// @notice Gas limit of withdrawals made by sending OPEN to this contract.
    uint64 public constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    /// @notice Version of the message nonce encoding (top 16 bits of messageNonce()).
    uint16 public constant MESSAGE_VERSION = 1;

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice Withdrawal hashes that were initiated (slot 0).
    mapping(bytes32 => bool) public sentMessages;

    /// @notice Counter of withdrawals (slot 1); the low 240 bits of messageNonce().
    uint240 internal msgNonce;

    /// @notice A withdrawal was initiated.
    /// @param nonce          The versioned nonce.
    /// @param sender         The L2 sender.
    /// @param target         The L1 target.
    /// @param value          Native OPEN withdrawn.
    /// @param gasLimit       Gas for the L1 call.
    /// @param data           Calldata of the L1 call.
    /// @param withdrawalHash The withdrawal hash stored in sentMessages.
    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    /// @notice The contract's native OPEN was burned.
    /// @param amount The wei burned.
    event WithdrawerBalanceBurnt(uint256 indexed amount);

    /// @notice Sending native OPEN here withdraws it to the same address on L1 with no call.
    receive() external payable {
        initiateWithdrawal(msg.sender, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    /// @notice Burns all native OPEN held by this contract (the value of initiated withdrawals).
    function burn() external {
        uint256 balance = address(this).balance;
        Burn.eth(balance);
        emit WithdrawerBalanceBurnt(balance);
    }

    /// @notice Initiates a withdrawal of `msg.value` native OPEN to `target` on L1, with an optional call.
    /// @param target   The L1 target.
    /// @param gasLimit Gas for the L1 call.
    /// @param data     Calldata of the L1 call (none when empty).
    function initiateWithdrawal(address target, uint256 gasLimit, bytes memory data) public payable {
        uint256 nonce = messageNonce();
        bytes32 withdrawalHash = Hashing.hashWithdrawal(
            WithdrawalTransaction({
                nonce: nonce, sender: msg.sender, target: target, value: msg.value, gasLimit: gasLimit, data: data
            })
        );
        sentMessages[withdrawalHash] = true;
        emit MessagePassed(nonce, msg.sender, target, msg.value, gasLimit, data, withdrawalHash);
        unchecked {
            ++msgNonce;
        }
    }

    /// @notice The nonce of the next withdrawal: MESSAGE_VERSION in the top 16 bits, the counter below.
    /// @return The versioned nonce.
    function messageNonce() public view returns (uint256) {
        return (uint256(MESSAGE_VERSION) << 240) | uint256(msgNonce);
    }
}
