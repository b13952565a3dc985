// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {AddressAliasHelper} from "../../src/libraries/AddressAliasHelper.sol";
import {Hashing} from "../../src/libraries/Hashing.sol";
import {WithdrawalTransaction, OutputRootProof} from "../../src/libraries/Types.sol";

contract AddressAliasHelper_Alias_Test is Test {
    function test_applyL1ToL2Alias_known_succeeds() external pure {
        assertEq(
            AddressAliasHelper.applyL1ToL2Alias(0x0000000000000000000000000000000000000001),
            0x1111000000000000000000000000000000001112
        );
        // Wraps around at 2^160.
        assertEq(
            AddressAliasHelper.applyL1ToL2Alias(0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF),
            0x1111000000000000000000000000000000001110
        );
    }

    function testFuzz_applyL1ToL2Alias_roundTrip_succeeds(address a) external pure {
        assertEq(AddressAliasHelper.undoL1ToL2Alias(AddressAliasHelper.applyL1ToL2Alias(a)), a);
        assertEq(AddressAliasHelper.applyL1ToL2Alias(AddressAliasHelper.undoL1ToL2Alias(a)), a);
    }
}

contract Hashing_Rules_Test is Test {
    function testFuzz_hashWithdrawal_abiEncode_succeeds(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes calldata data
    ) external pure {
        WithdrawalTransaction memory wd = WithdrawalTransaction(nonce, sender, target, value, gasLimit, data);
        assertEq(Hashing.hashWithdrawal(wd), keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)));
    }

    function testFuzz_hashOutputRootProof_concatenation_succeeds(bytes32 s, bytes32 m, bytes32 b) external pure {
        OutputRootProof memory p = OutputRootProof(bytes32(0), s, m, b);
        // OP Stack: keccak256(bytes32(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash).
        assertEq(Hashing.hashOutputRootProof(p), keccak256(abi.encodePacked(bytes32(0), s, m, b)));
    }

    function test_withdrawalTrieKey_isHashOfSlot_succeeds() external pure {
        bytes32 h = keccak256("withdrawal");
        bytes32 slot = keccak256(abi.encode(h, uint256(0)));
        assertEq(Hashing.withdrawalStorageSlot(h), slot);
        assertEq(Hashing.withdrawalTrieKey(h), abi.encodePacked(keccak256(abi.encode(slot))));
    }
}
