// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {L1Block} from "../../src/L2/L1Block.sol";

contract L1Block_TestInit is Test {
    address internal constant PREDEPLOY = 0x4200000000000000000000000000000000000015;
    address internal constant DEPOSITOR = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    L1Block internal l1Block;

    function setUp() public {
        vm.etch(PREDEPLOY, address(new L1Block()).code);
        l1Block = L1Block(PREDEPLOY);
    }

    /// @notice The values setL1BlockValuesEcotone carries, in calldata order.
    struct Ecotone {
        uint32 baseFeeScalar;
        uint32 blobBaseFeeScalar;
        uint64 sequenceNumber;
        uint64 timestamp;
        uint64 number;
        uint256 basefee;
        uint256 blobBaseFee;
        bytes32 hash;
        bytes32 batcherHash;
    }

    /// @dev OP's packed Ecotone calldata (op-node's L1BlockInfo.marshalBinaryEcotone).
    function _ecotoneCalldata(Ecotone memory v) internal pure returns (bytes memory) {
        return abi.encodePacked(
            L1Block.setL1BlockValuesEcotone.selector,
            v.baseFeeScalar,
            v.blobBaseFeeScalar,
            v.sequenceNumber,
            v.timestamp,
            v.number,
            v.basefee,
            v.blobBaseFee,
            v.hash,
            v.batcherHash
        );
    }

    /// @dev The predeploy's views read back every value of `v`.
    function _assertValues(Ecotone memory v) internal view {
        assertEq(l1Block.baseFeeScalar(), v.baseFeeScalar, "baseFeeScalar");
        assertEq(l1Block.blobBaseFeeScalar(), v.blobBaseFeeScalar, "blobBaseFeeScalar");
        assertEq(l1Block.sequenceNumber(), v.sequenceNumber, "sequenceNumber");
        assertEq(l1Block.timestamp(), v.timestamp, "timestamp");
        assertEq(l1Block.number(), v.number, "number");
        assertEq(l1Block.basefee(), v.basefee, "basefee");
        assertEq(l1Block.blobBaseFee(), v.blobBaseFee, "blobBaseFee");
        assertEq(l1Block.hash(), v.hash, "hash");
        assertEq(l1Block.batcherHash(), v.batcherHash, "batcherHash");
    }

    /// @dev Arbitrary non-zero values.
    function _sample() internal pure returns (Ecotone memory) {
        return Ecotone(1, 2, 3, 4, 5, 6, 7, bytes32(uint256(8)), bytes32(uint256(9)));
    }

    /// @dev The depositor sets `v`, which must succeed.
    function _setValues(Ecotone memory v) internal {
        vm.prank(DEPOSITOR);
        (bool ok,) = PREDEPLOY.call(_ecotoneCalldata(v));
        assertTrue(ok, "depositor's update failed");
    }
}

contract L1Block_SetL1BlockValuesEcotone_Test is L1Block_TestInit {
    function test_setL1BlockValuesEcotone_selectorAndLength_succeeds() external pure {
        assertEq(uint256(uint32(L1Block.setL1BlockValuesEcotone.selector)), 0x440a5e20);
        assertEq(_ecotoneCalldata(Ecotone(0, 0, 0, 0, 0, 0, 0, 0, 0)).length, 164);
    }

    function test_setL1BlockValuesEcotone_views_succeeds() external {
        bytes32 h = keccak256("l1 block");
        bytes32 b = bytes32(uint256(uint160(0xBA7C4E5)));
        Ecotone memory v = Ecotone(1368, 810_949, 3, 1_700_000_012, 19_000_000, 20 gwei, 3 gwei, h, b);
        _setValues(v);
        _assertValues(v);
        assertEq(l1Block.l1FeeOverhead(), 0);
        assertEq(l1Block.l1FeeScalar(), 0);
        assertEq(l1Block.operatorFeeScalar(), 0);
        assertEq(l1Block.operatorFeeConstant(), 0);
    }

    /// @dev The slots op-revm reads (constants.rs / l1block.rs of op-revm): slot 1 basefee, slot 3 with
    ///      baseFeeScalar at bytes 16..20 and blobBaseFeeScalar at bytes 20..24 (big-endian), slot 7 blobBaseFee;
    ///      and OP's slots for number/timestamp (0), hash (2), sequenceNumber (3, low 8 bytes), batcherHash (4).
    function test_setL1BlockValuesEcotone_storageLayout_succeeds() external {
        bytes32 h = keccak256("h");
        bytes32 b = keccak256("b");
        _setValues(Ecotone(0x11223344, 0x55667788, 0x0102030405060708, 0xaa, 0xbb, 7, 9, h, b));
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(0))), bytes32((uint256(0xaa) << 64) | 0xbb));
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(1))), bytes32(uint256(7)));
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(2))), h);
        bytes32 slot3 = vm.load(PREDEPLOY, bytes32(uint256(3)));
        assertEq(slot3, bytes32(uint256(0x11223344_55667788_0102030405060708)));
        assertEq(uint256(uint32(bytes4(slot3 << (16 * 8)))), 0x11223344); // op-revm BASE_FEE_SCALAR_OFFSET
        assertEq(uint256(uint32(bytes4(slot3 << (20 * 8)))), 0x55667788); // op-revm BLOB_BASE_FEE_SCALAR_OFFSET
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(4))), b);
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(5))), bytes32(0));
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(6))), bytes32(0));
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(7))), bytes32(uint256(9)));
        assertEq(vm.load(PREDEPLOY, bytes32(uint256(8))), bytes32(0));
    }

    function test_setL1BlockValuesEcotone_overwrites_succeeds() external {
        _setValues(_sample());
        Ecotone memory second = Ecotone(10, 20, 0, 40, 50, 60, 70, bytes32(uint256(80)), bytes32(uint256(90)));
        _setValues(second);
        _assertValues(second);
    }

    function testFuzz_setL1BlockValuesEcotone_roundTrips_succeeds(
        uint32 baseFeeScalar,
        uint32 blobBaseFeeScalar,
        uint64 sequenceNumber,
        uint64 timestamp,
        uint64 number,
        uint256 basefee,
        uint256 blobBaseFee,
        bytes32 hash,
        bytes32 batcherHash
    ) external {
        Ecotone memory v = Ecotone(
            baseFeeScalar, blobBaseFeeScalar, sequenceNumber, timestamp, number, basefee, blobBaseFee, hash, batcherHash
        );
        _setValues(v);
        _assertValues(v);
    }

    function test_setL1BlockValuesEcotone_notDepositor_reverts() external {
        bytes memory data = _ecotoneCalldata(_sample());
        vm.prank(makeAddr("mallory"));
        (bool ok, bytes memory ret) = PREDEPLOY.call(data);
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(L1Block.NotDepositor.selector));
        assertEq(bytes4(ret), bytes4(0x3cc50b45));
        assertEq(l1Block.number(), 0);
        assertEq(l1Block.basefee(), 0);
    }

    function testFuzz_setL1BlockValuesEcotone_anyOtherCaller_reverts(address caller) external {
        vm.assume(caller != DEPOSITOR);
        vm.prank(caller);
        vm.expectRevert(L1Block.NotDepositor.selector);
        l1Block.setL1BlockValuesEcotone();
    }
}

contract L1Block_Views_Test is L1Block_TestInit {
    function test_version_succeeds() external view {
        assertEq(l1Block.version(), "1.0.0-beta.1");
    }

    function test_depositorAccount_succeeds() external view {
        assertEq(l1Block.DEPOSITOR_ACCOUNT(), DEPOSITOR);
    }

    function test_views_initiallyZero_succeeds() external view {
        assertEq(l1Block.number(), 0);
        assertEq(l1Block.timestamp(), 0);
        assertEq(l1Block.hash(), bytes32(0));
        assertEq(l1Block.blobBaseFee(), 0);
    }
}
