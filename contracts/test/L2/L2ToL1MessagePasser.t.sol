// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {L2ToL1MessagePasser} from "../../src/L2/L2ToL1MessagePasser.sol";
import {Hashing} from "../../src/libraries/Hashing.sol";
import {WithdrawalTransaction} from "../../src/libraries/Types.sol";

contract L2ToL1MessagePasser_TestInit is Test {
    address internal constant PREDEPLOY = 0x4200000000000000000000000000000000000016;
    uint256 internal constant V1 = uint256(1) << 240;

    L2ToL1MessagePasser internal passer;
    address internal alice;

    function setUp() public {
        vm.etch(PREDEPLOY, address(new L2ToL1MessagePasser()).code);
        passer = L2ToL1MessagePasser(payable(PREDEPLOY));
        alice = makeAddr("alice");
        vm.deal(alice, 100 ether);
    }

    function _hash(uint256 nonce, address sender, address target, uint256 value, uint256 gasLimit, bytes memory data)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(nonce, sender, target, value, gasLimit, data));
    }
}

contract L2ToL1MessagePasser_InitiateWithdrawal_Test is L2ToL1MessagePasser_TestInit {
    function test_initiateWithdrawal_first_succeeds() external {
        address target = makeAddr("target");
        bytes memory data = hex"abcd";
        bytes32 h = _hash(V1, alice, target, 2 ether, 150_000, data);
        vm.expectEmit(true, true, true, true, PREDEPLOY);
        emit L2ToL1MessagePasser.MessagePassed(V1, alice, target, 2 ether, 150_000, data, h);
        vm.prank(alice);
        passer.initiateWithdrawal{value: 2 ether}(target, 150_000, data);
        assertTrue(passer.sentMessages(h));
        assertEq(passer.messageNonce(), V1 + 1);
        assertEq(PREDEPLOY.balance, 2 ether);
        // Storage layout: sentMessages at slot 0, so the proven slot holds 1 ...
        assertEq(vm.load(PREDEPLOY, Hashing.withdrawalStorageSlot(h)), bytes32(uint256(1)));
        // ... and the nonce counter at slot 1.
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(1))), bytes32(uint256(1)));
    }

    function test_initiateWithdrawal_nonceIncrements_succeeds() external {
        vm.startPrank(alice);
        passer.initiateWithdrawal(alice, 0, "");
        passer.initiateWithdrawal(alice, 0, "");
        vm.stopPrank();
        assertTrue(passer.sentMessages(_hash(V1, alice, alice, 0, 0, "")));
        assertTrue(passer.sentMessages(_hash(V1 + 1, alice, alice, 0, 0, "")));
        assertEq(passer.messageNonce(), V1 + 2);
    }

    function test_receive_withdrawsToSender_succeeds() external {
        bytes32 h = _hash(V1, alice, alice, 1 ether, 100_000, "");
        vm.expectEmit(true, true, true, true, PREDEPLOY);
        emit L2ToL1MessagePasser.MessagePassed(V1, alice, alice, 1 ether, 100_000, "", h);
        vm.prank(alice);
        (bool ok,) = PREDEPLOY.call{value: 1 ether}("");
        assertTrue(ok);
        assertTrue(passer.sentMessages(h));
    }

    function testFuzz_initiateWithdrawal_matchesHashing_succeeds(
        address sender,
        address target,
        uint128 value,
        uint256 gasLimit,
        bytes calldata data
    ) external {
        vm.deal(sender, value);
        vm.prank(sender);
        passer.initiateWithdrawal{value: value}(target, gasLimit, data);
        bytes32 h = Hashing.hashWithdrawal(
            WithdrawalTransaction({
                nonce: V1, sender: sender, target: target, value: value, gasLimit: gasLimit, data: data
            })
        );
        assertTrue(passer.sentMessages(h));
        assertEq(vm.load(PREDEPLOY, Hashing.withdrawalStorageSlot(h)), bytes32(uint256(1)));
    }
}

contract L2ToL1MessagePasser_Burn_Test is L2ToL1MessagePasser_TestInit {
    function test_burn_balance_succeeds() external {
        vm.prank(alice);
        passer.initiateWithdrawal{value: 3 ether}(alice, 0, "");
        vm.expectEmit(true, false, false, false, PREDEPLOY);
        emit L2ToL1MessagePasser.WithdrawerBalanceBurnt(3 ether);
        passer.burn();
        assertEq(PREDEPLOY.balance, 0);
    }

    function test_burn_empty_succeeds() external {
        vm.expectEmit(true, false, false, false, PREDEPLOY);
        emit L2ToL1MessagePasser.WithdrawerBalanceBurnt(0);
        passer.burn();
        assertEq(PREDEPLOY.balance, 0);
    }
}

contract L2ToL1MessagePasser_Views_Test is L2ToL1MessagePasser_TestInit {
    function test_version_succeeds() external view {
        assertEq(passer.version(), "1.0.0-beta.1");
        assertEq(uint256(passer.MESSAGE_VERSION()), 1);
        assertEq(uint256(passer.RECEIVE_DEFAULT_GAS_LIMIT()), 100_000);
        assertEq(passer.messageNonce(), V1);
    }
}
