// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {CommonTest} from "../setup/CommonTest.sol";
import {EtherRejecter} from "../mocks/EtherRejecter.sol";
import {Rollup} from "../../src/L1/Rollup.sol";

contract Rollup_TestInit is CommonTest {
    function _chain(bytes32 prev, uint64 first, uint64 last, bytes32 dataHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(prev, first, last, dataHash));
    }
}

contract Rollup_Constructor_Test is Rollup_TestInit {
    function test_constructor_config_succeeds() external view {
        assertEq(rollup.owner(), owner);
        assertEq(rollup.batcher(), batcher);
        assertEq(rollup.proposer(), proposer);
        assertEq(rollup.guardian(), guardian);
        assertEq(uint256(rollup.challengeWindow()), WINDOW);
        assertEq(rollup.proposerBond(), PROPOSER_BOND);
        assertEq(rollup.challengerBond(), CHALLENGER_BOND);
        assertEq(uint256(rollup.l2ChainId()), L2_CHAIN_ID);
        assertEq(rollup.l2GenesisHash(), GENESIS);
        assertEq(uint256(rollup.nextBlock()), 1);
        assertEq(rollup.batchCount(), 0);
        assertEq(rollup.batchChainHash(), bytes32(0));
        assertEq(rollup.outputCount(), 0);
        assertEq(rollup.latestBlockNumber(), 0);
        assertFalse(rollup.paused());
        assertEq(rollup.version(), "1.0.0-beta.1");
    }

    function test_constructor_emitsRoles_succeeds() external {
        vm.expectEmit(true, true, false, false);
        emit Rollup.BatcherUpdated(address(0), batcher);
        vm.expectEmit(true, true, false, false);
        emit Rollup.ProposerUpdated(address(0), proposer);
        vm.expectEmit(true, true, false, false);
        emit Rollup.GuardianUpdated(address(0), guardian);
        new Rollup(_config());
    }

    function test_constructor_zeroBatcher_reverts() external {
        Rollup.Config memory c = _config();
        c.batcher = address(0);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        new Rollup(c);
    }

    function test_constructor_zeroProposer_reverts() external {
        Rollup.Config memory c = _config();
        c.proposer = address(0);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        new Rollup(c);
    }

    function test_constructor_zeroGuardian_reverts() external {
        Rollup.Config memory c = _config();
        c.guardian = address(0);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        new Rollup(c);
    }

    function test_constructor_zeroOwner_reverts() external {
        Rollup.Config memory c = _config();
        c.owner = address(0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new Rollup(c);
    }
}

contract Rollup_Roles_Test is Rollup_TestInit {
    /// @dev The owner hands a role to `next` through its setter, which `role` then reads back. Callers expect the
    ///      role's event first.
    function _setRoleAsOwner(
        function(address) external setRole,
        function() external view returns (address) role,
        address next
    ) internal {
        vm.prank(owner);
        setRole(next);
        assertEq(role(), next);
    }

    /// @dev A role setter refuses a caller other than the owner.
    function _assertSetRoleNotOwnerReverts(function(address) external setRole) internal {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        setRole(alice);
    }

    /// @dev A role setter refuses the zero address, even from the owner.
    function _assertSetRoleZeroReverts(function(address) external setRole) internal {
        vm.expectRevert(Rollup.ZeroAddress.selector);
        vm.prank(owner);
        setRole(address(0));
    }

    function test_setBatcher_owner_succeeds() external {
        address n = makeAddr("newBatcher");
        vm.expectEmit(true, true, false, false, address(rollup));
        emit Rollup.BatcherUpdated(batcher, n);
        _setRoleAsOwner(rollup.setBatcher, rollup.batcher, n);
    }

    function test_setBatcher_notOwner_reverts() external {
        _assertSetRoleNotOwnerReverts(rollup.setBatcher);
    }

    function test_setBatcher_zero_reverts() external {
        _assertSetRoleZeroReverts(rollup.setBatcher);
    }

    function test_setProposer_owner_succeeds() external {
        address n = makeAddr("newProposer");
        vm.expectEmit(true, true, false, false, address(rollup));
        emit Rollup.ProposerUpdated(proposer, n);
        _setRoleAsOwner(rollup.setProposer, rollup.proposer, n);
    }

    function test_setProposer_notOwner_reverts() external {
        _assertSetRoleNotOwnerReverts(rollup.setProposer);
    }

    function test_setProposer_zero_reverts() external {
        _assertSetRoleZeroReverts(rollup.setProposer);
    }

    function test_setGuardian_owner_succeeds() external {
        address n = makeAddr("newGuardian");
        vm.expectEmit(true, true, false, false, address(rollup));
        emit Rollup.GuardianUpdated(guardian, n);
        _setRoleAsOwner(rollup.setGuardian, rollup.guardian, n);
    }

    function test_setGuardian_notOwner_reverts() external {
        _assertSetRoleNotOwnerReverts(rollup.setGuardian);
    }

    function test_setGuardian_zero_reverts() external {
        _assertSetRoleZeroReverts(rollup.setGuardian);
    }

    function test_transferOwnership_twoStep_succeeds() external {
        address n = makeAddr("newOwner");
        vm.prank(owner);
        rollup.transferOwnership(n);
        assertEq(rollup.owner(), owner, "not before acceptance");
        assertEq(rollup.pendingOwner(), n);
        vm.prank(n);
        rollup.acceptOwnership();
        assertEq(rollup.owner(), n);
    }

    function test_acceptOwnership_notPending_reverts() external {
        vm.prank(owner);
        rollup.transferOwnership(makeAddr("newOwner"));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        rollup.acceptOwnership();
    }

    function test_pause_guardian_succeeds() external {
        vm.expectEmit(address(rollup));
        emit Pausable.Paused(guardian);
        vm.prank(guardian);
        rollup.pause();
        assertTrue(rollup.paused());
    }

    function test_pause_notGuardian_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotGuardian.selector, owner));
        vm.prank(owner);
        rollup.pause();
    }

    function test_pause_alreadyPaused_reverts() external {
        vm.startPrank(guardian);
        rollup.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        rollup.pause();
        vm.stopPrank();
    }

    function test_unpause_guardian_succeeds() external {
        vm.startPrank(guardian);
        rollup.pause();
        vm.expectEmit(address(rollup));
        emit Pausable.Unpaused(guardian);
        rollup.unpause();
        vm.stopPrank();
        assertFalse(rollup.paused());
    }

    function test_unpause_notGuardian_reverts() external {
        vm.prank(guardian);
        rollup.pause();
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotGuardian.selector, alice));
        vm.prank(alice);
        rollup.unpause();
    }

    function test_unpause_notPaused_reverts() external {
        vm.expectRevert(Pausable.ExpectedPause.selector);
        vm.prank(guardian);
        rollup.unpause();
    }
}

contract Rollup_SubmitBatch_Test is Rollup_TestInit {
    function test_submitBatch_first_succeeds() external {
        bytes memory data = hex"deadbeef";
        bytes32 expectedChain = _chain(bytes32(0), 1, 10, keccak256(data));
        vm.expectEmit(true, false, false, true, address(rollup));
        emit Rollup.BatchSubmitted(0, 1, 10, keccak256(data), expectedChain, new bytes32[](0));
        vm.prank(batcher);
        rollup.submitBatch(1, 10, data);
        assertEq(uint256(rollup.nextBlock()), 11);
        assertEq(rollup.batchCount(), 1);
        assertEq(rollup.batchChainHash(), expectedChain);
    }

    function test_submitBatch_chained_succeeds() external {
        vm.startPrank(batcher);
        rollup.submitBatch(1, 1, "a");
        rollup.submitBatch(2, 5, "b");
        vm.stopPrank();
        bytes32 h = _chain(_chain(bytes32(0), 1, 1, keccak256("a")), 2, 5, keccak256("b"));
        assertEq(rollup.batchChainHash(), h);
        assertEq(rollup.batchCount(), 2);
        assertEq(uint256(rollup.nextBlock()), 6);
    }

    function test_submitBatch_notBatcher_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotBatcher.selector, alice));
        vm.prank(alice);
        rollup.submitBatch(1, 1, "");
    }

    function test_submitBatch_paused_reverts() external {
        vm.prank(guardian);
        rollup.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(batcher);
        rollup.submitBatch(1, 1, "");
    }

    function test_submitBatch_gap_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.UnexpectedFirstBlock.selector, uint64(1), uint64(2)));
        vm.prank(batcher);
        rollup.submitBatch(2, 3, "");
    }

    function test_submitBatch_genesis_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.UnexpectedFirstBlock.selector, uint64(1), uint64(0)));
        vm.prank(batcher);
        rollup.submitBatch(0, 3, "");
    }

    function test_submitBatch_overlap_reverts() external {
        vm.startPrank(batcher);
        rollup.submitBatch(1, 5, "");
        vm.expectRevert(abi.encodeWithSelector(Rollup.UnexpectedFirstBlock.selector, uint64(6), uint64(5)));
        rollup.submitBatch(5, 7, "");
        vm.stopPrank();
    }

    function test_submitBatch_lastBeforeFirst_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, uint64(1), uint64(0)));
        vm.prank(batcher);
        rollup.submitBatch(1, 0, "");
    }

    function test_submitBatch_lastIsMaxUint64_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, uint64(1), type(uint64).max));
        vm.prank(batcher);
        rollup.submitBatch(1, type(uint64).max, "");
    }

    function test_submitBatch_maxBlocks_succeeds() external {
        assertEq(uint256(rollup.MAX_BLOCKS_PER_BATCH()), 3600);
        vm.startPrank(batcher);
        rollup.submitBatch(1, 3600, "a");
        rollup.submitBatch(3601, 7200, "b");
        vm.stopPrank();
        assertEq(uint256(rollup.nextBlock()), 7201);
    }

    function test_submitBatch_tooManyBlocks_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, uint64(1), uint64(3601)));
        vm.prank(batcher);
        rollup.submitBatch(1, 3601, "");
    }

    /// @dev A batch is accepted iff it covers at most MAX_BLOCKS_PER_BATCH blocks, wherever it starts.
    function testFuzz_submitBatch_blockBound(uint64 start, uint64 length) external {
        start = uint64(bound(start, 0, rollup.MAX_BLOCKS_PER_BATCH()));
        length = uint64(bound(length, 1, 20_000));
        vm.startPrank(batcher);
        if (start > 0) rollup.submitBatch(1, start, "");
        uint64 first = start + 1;
        uint64 last = first + length - 1;
        if (length > rollup.MAX_BLOCKS_PER_BATCH()) {
            vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, first, last));
            rollup.submitBatch(first, last, "x");
            assertEq(uint256(rollup.nextBlock()), first);
        } else {
            rollup.submitBatch(first, last, "x");
            assertEq(uint256(rollup.nextBlock()), uint256(last) + 1);
        }
        vm.stopPrank();
    }

    /// @dev Any sequence of batch lengths keeps the chain contiguous and the hash chain reproducible.
    function testFuzz_submitBatch_ranges_succeeds(uint8[8] calldata lengths, bytes calldata data) external {
        bytes32 h;
        uint64 next = 1;
        vm.startPrank(batcher);
        for (uint256 i = 0; i < lengths.length; ++i) {
            uint64 last = next + uint64(lengths[i]);
            rollup.submitBatch(next, last, data);
            h = _chain(h, next, last, keccak256(data));
            next = last + 1;
        }
        vm.stopPrank();
        assertEq(uint256(rollup.nextBlock()), next);
        assertEq(rollup.batchChainHash(), h);
        assertEq(rollup.batchCount(), 8);
    }

    function testFuzz_submitBatch_wrongFirst_reverts(uint64 first) external {
        vm.assume(first != 1);
        vm.expectRevert(abi.encodeWithSelector(Rollup.UnexpectedFirstBlock.selector, uint64(1), first));
        vm.prank(batcher);
        rollup.submitBatch(first, first, "");
    }
}

contract Rollup_SubmitBlobBatch_Test is Rollup_TestInit {
    function _blobs(uint256 n) internal pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            hashes[i] = bytes32(uint256(0x01) << 248 | uint256(keccak256(abi.encode(i))) >> 8);
        }
    }

    function test_submitBlobBatch_twoBlobs_succeeds() external {
        bytes32[] memory hashes = _blobs(2);
        vm.blobhashes(hashes);
        bytes32 dataHash = keccak256(abi.encodePacked(hashes[0], hashes[1]));
        bytes32 expectedChain = _chain(bytes32(0), 1, 4, dataHash);
        vm.expectEmit(true, false, false, true, address(rollup));
        emit Rollup.BatchSubmitted(0, 1, 4, dataHash, expectedChain, hashes);
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 4, 2);
        assertEq(rollup.batchChainHash(), expectedChain);
        assertEq(uint256(rollup.nextBlock()), 5);
        assertEq(rollup.batchCount(), 1);
    }

    function test_submitBlobBatch_fewerThanAvailable_succeeds() external {
        bytes32[] memory hashes = _blobs(3);
        vm.blobhashes(hashes);
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 1, 1);
        assertEq(rollup.batchChainHash(), _chain(bytes32(0), 1, 1, keccak256(abi.encodePacked(hashes[0]))));
    }

    function test_submitBlobBatch_zeroCount_reverts() external {
        vm.blobhashes(_blobs(1));
        vm.expectRevert(Rollup.NoBlobs.selector);
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 1, 0);
    }

    function test_submitBlobBatch_missingBlob_reverts() external {
        vm.blobhashes(_blobs(2));
        vm.expectRevert(abi.encodeWithSelector(Rollup.BlobMissing.selector, uint256(2)));
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 1, 3);
    }

    function test_submitBlobBatch_noBlobsInTx_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.BlobMissing.selector, uint256(0)));
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 1, 1);
    }

    function test_submitBlobBatch_notBatcher_reverts() external {
        vm.blobhashes(_blobs(1));
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotBatcher.selector, alice));
        vm.prank(alice);
        rollup.submitBlobBatch(1, 1, 1);
    }

    function test_submitBlobBatch_paused_reverts() external {
        vm.prank(guardian);
        rollup.pause();
        vm.blobhashes(_blobs(1));
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 1, 1);
    }

    function test_submitBlobBatch_gap_reverts() external {
        vm.blobhashes(_blobs(1));
        vm.expectRevert(abi.encodeWithSelector(Rollup.UnexpectedFirstBlock.selector, uint64(1), uint64(3)));
        vm.prank(batcher);
        rollup.submitBlobBatch(3, 3, 1);
    }

    function test_submitBlobBatch_lastBeforeFirst_reverts() external {
        vm.blobhashes(_blobs(1));
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, uint64(1), uint64(0)));
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 0, 1);
    }

    function test_submitBlobBatch_tooManyBlocks_reverts() external {
        vm.blobhashes(_blobs(1));
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, uint64(1), uint64(3601)));
        vm.prank(batcher);
        rollup.submitBlobBatch(1, 3601, 1);
    }

    /// @dev The blob path applies the same bound as the calldata path.
    function testFuzz_submitBlobBatch_blockBound(uint64 length) external {
        length = uint64(bound(length, 1, 20_000));
        uint64 max = rollup.MAX_BLOCKS_PER_BATCH();
        vm.blobhashes(_blobs(1));
        vm.prank(batcher);
        if (length > max) {
            vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlockRange.selector, uint64(1), length));
            rollup.submitBlobBatch(1, length, 1);
            assertEq(uint256(rollup.nextBlock()), 1);
        } else {
            rollup.submitBlobBatch(1, length, 1);
            assertEq(uint256(rollup.nextBlock()), uint256(length) + 1);
        }
    }

    function testFuzz_submitBlobBatch_mixedWithCalldata_succeeds(uint8 blobCount, uint16 len) external {
        blobCount = uint8(bound(blobCount, 1, 6));
        len = uint16(bound(len, 0, rollup.MAX_BLOCKS_PER_BATCH() - 1));
        bytes32[] memory hashes = _blobs(blobCount);
        vm.blobhashes(hashes);
        vm.startPrank(batcher);
        rollup.submitBatch(1, 1 + uint64(len), "x");
        rollup.submitBlobBatch(2 + uint64(len), 2 + uint64(len), blobCount);
        vm.stopPrank();
        bytes32 h = _chain(bytes32(0), 1, 1 + uint64(len), keccak256("x"));
        h = _chain(h, 2 + uint64(len), 2 + uint64(len), keccak256(abi.encodePacked(hashes)));
        assertEq(rollup.batchChainHash(), h);
        assertEq(uint256(rollup.nextBlock()), 3 + uint256(len));
    }
}

contract Rollup_ProposeOutput_Test is Rollup_TestInit {
    function setUp() public override {
        super.setUp();
        _batchTo(100);
        vm.roll(block.number + 1);
    }

    function _proposeAs(address who, uint256 value, uint256 l2Block, bytes32 root) internal {
        vm.prank(who);
        rollup.proposeOutput{value: value}(l2Block, root, blockhash(block.number - 1), block.number - 1);
    }

    function test_proposeOutput_first_succeeds() external {
        bytes32 root = keccak256("root");
        vm.expectEmit(true, true, true, true, address(rollup));
        emit Rollup.OutputProposed(0, root, 10, block.timestamp);
        _proposeAs(proposer, PROPOSER_BOND, 10, root);
        Rollup.Output memory o = rollup.getOutput(0);
        assertEq(o.outputRoot, root);
        assertEq(uint256(o.l2BlockNumber), 10);
        assertEq(uint256(o.timestamp), block.timestamp);
        assertEq(o.proposer, proposer);
        assertEq(o.challenger, address(0));
        assertFalse(o.challengeResolved);
        assertFalse(o.bondReclaimed);
        assertEq(rollup.outputCount(), 1);
        assertEq(rollup.latestBlockNumber(), 10);
        assertEq(address(rollup).balance, PROPOSER_BOND);
    }

    function test_proposeOutput_lastBatchedBlock_succeeds() external {
        _proposeAs(proposer, PROPOSER_BOND, 100, keccak256("root"));
        assertEq(rollup.latestBlockNumber(), 100);
    }

    function test_proposeOutput_notProposer_reverts() external {
        vm.deal(alice, 10 ether);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotProposer.selector, alice));
        _proposeAs(alice, PROPOSER_BOND, 10, keccak256("root"));
    }

    function test_proposeOutput_paused_reverts() external {
        vm.prank(guardian);
        rollup.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        _proposeAs(proposer, PROPOSER_BOND, 10, keccak256("root"));
    }

    function test_proposeOutput_wrongBond_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.IncorrectBond.selector, PROPOSER_BOND, PROPOSER_BOND - 1));
        _proposeAs(proposer, PROPOSER_BOND - 1, 10, keccak256("root"));
    }

    function test_proposeOutput_zeroRoot_reverts() external {
        vm.expectRevert(Rollup.ZeroOutputRoot.selector);
        _proposeAs(proposer, PROPOSER_BOND, 10, bytes32(0));
    }

    function test_proposeOutput_currentL1Block_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1BlockHashUnavailable.selector, block.number));
        vm.prank(proposer);
        rollup.proposeOutput{value: PROPOSER_BOND}(10, keccak256("root"), bytes32(0), block.number);
    }

    function test_proposeOutput_tooOldL1Block_reverts() external {
        uint256 old = block.number - 1;
        bytes32 h = blockhash(old);
        vm.roll(block.number + 300);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1BlockHashUnavailable.selector, old));
        vm.prank(proposer);
        rollup.proposeOutput{value: PROPOSER_BOND}(10, keccak256("root"), h, old);
    }

    function test_proposeOutput_reorgedL1Block_reverts() external {
        uint256 n = block.number - 1;
        bytes32 seen = keccak256("reorged");
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1BlockHashMismatch.selector, n, blockhash(n), seen));
        vm.prank(proposer);
        rollup.proposeOutput{value: PROPOSER_BOND}(10, keccak256("root"), seen, n);
    }

    function test_proposeOutput_genesis_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNumberTooLow.selector, 0, 0));
        _proposeAs(proposer, PROPOSER_BOND, 0, keccak256("root"));
    }

    function test_proposeOutput_notAboveLatest_reverts() external {
        _proposeAs(proposer, PROPOSER_BOND, 10, keccak256("root"));
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNumberTooLow.selector, 10, 10));
        _proposeAs(proposer, PROPOSER_BOND, 10, keccak256("root2"));
    }

    function test_proposeOutput_notBatched_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotBatched.selector, 101, 101));
        _proposeAs(proposer, PROPOSER_BOND, 101, keccak256("root"));
    }

    function testFuzz_proposeOutput_blockRange_succeeds(uint256 l2Block) external {
        l2Block = bound(l2Block, 1, 100);
        _proposeAs(proposer, PROPOSER_BOND, l2Block, keccak256("root"));
        assertEq(rollup.latestBlockNumber(), l2Block);
    }

    function testFuzz_proposeOutput_unbatched_reverts(uint256 l2Block) external {
        l2Block = bound(l2Block, 101, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotBatched.selector, 101, l2Block));
        _proposeAs(proposer, PROPOSER_BOND, l2Block, keccak256("root"));
    }
}

contract Rollup_Challenge_Test is Rollup_TestInit {
    function setUp() public override {
        super.setUp();
        _propose(10, keccak256("root"));
    }

    function test_challenge_inWindow_succeeds() external {
        vm.expectEmit(true, true, false, false, address(rollup));
        emit Rollup.OutputChallenged(0, challenger);
        _challenge(0);
        assertEq(rollup.getOutput(0).challenger, challenger);
        assertEq(address(rollup).balance, PROPOSER_BOND + CHALLENGER_BOND);
        assertFalse(rollup.isFinalized(0));
    }

    function test_challenge_lastSecond_succeeds() external {
        vm.warp(block.timestamp + WINDOW - 1);
        _challenge(0);
        assertEq(rollup.getOutput(0).challenger, challenger);
    }

    function test_challenge_missingOutput_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 1));
        vm.prank(challenger);
        rollup.challenge{value: CHALLENGER_BOND}(1);
    }

    function test_challenge_wrongBond_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.IncorrectBond.selector, CHALLENGER_BOND, 1));
        vm.prank(challenger);
        rollup.challenge{value: 1}(0);
    }

    function test_challenge_twice_reverts() external {
        _challenge(0);
        vm.expectRevert(abi.encodeWithSelector(Rollup.AlreadyChallenged.selector, 0));
        _challenge(0);
    }

    function test_challenge_afterValidResolution_reverts() external {
        _challengeAndResolve(0, true);
        vm.expectRevert(abi.encodeWithSelector(Rollup.AlreadyChallenged.selector, 0));
        _challenge(0);
    }

    function test_challenge_windowClosed_reverts() external {
        uint256 deadline = block.timestamp + WINDOW;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(Rollup.ChallengeWindowClosed.selector, 0, deadline));
        _challenge(0);
    }

    function test_challenge_paused_reverts() external {
        vm.prank(guardian);
        rollup.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        _challenge(0);
    }

    /// @dev A challenge succeeds exactly inside [timestamp, timestamp + window).
    function testFuzz_challenge_timing_succeeds(uint256 delay) external {
        delay = bound(delay, 0, 3 * uint256(WINDOW));
        uint256 proposed = rollup.getOutput(0).timestamp;
        vm.warp(proposed + delay);
        if (delay < WINDOW) {
            _challenge(0);
            assertEq(rollup.getOutput(0).challenger, challenger);
            assertFalse(rollup.isFinalized(0));
        } else {
            vm.expectRevert(abi.encodeWithSelector(Rollup.ChallengeWindowClosed.selector, 0, proposed + WINDOW));
            _challenge(0);
            assertTrue(rollup.isFinalized(0));
        }
    }
}

contract Rollup_Resolve_Test is Rollup_TestInit {
    function setUp() public override {
        super.setUp();
        _propose(10, keccak256("r0"));
        _propose(20, keccak256("r1"));
        _propose(30, keccak256("r2"));
    }

    /// @dev The challenger challenges output 1 and a second challenger, `other`, the later output 2.
    function _challengeOneAndTwo() internal returns (address other) {
        _challenge(1);
        other = makeAddr("other");
        vm.deal(other, 1 ether);
        vm.prank(other);
        rollup.challenge{value: CHALLENGER_BOND}(2);
    }

    function test_resolve_valid_succeeds() external {
        _challenge(1);
        vm.expectEmit(true, true, false, true, address(rollup));
        emit Rollup.Credited(proposer, CHALLENGER_BOND);
        vm.expectEmit(true, true, false, true, address(rollup));
        emit Rollup.ChallengeResolved(1, true, challenger);
        vm.prank(guardian);
        rollup.resolve(1, true);
        assertEq(rollup.outputCount(), 3);
        assertTrue(rollup.getOutput(1).challengeResolved);
        assertEq(rollup.credits(proposer), CHALLENGER_BOND);
        assertEq(rollup.credits(challenger), 0);
        assertFalse(rollup.isFinalized(1), "still inside window");
        vm.warp(block.timestamp + WINDOW);
        assertTrue(rollup.isFinalized(1), "finalizes after the window");
    }

    function test_resolve_invalid_succeeds() external {
        // A second challenger on the later output gets its bond back.
        address other = _challengeOneAndTwo();

        vm.expectEmit(true, false, false, true, address(rollup));
        emit Rollup.OutputsDeleted(1, 3);
        vm.expectEmit(true, true, false, true, address(rollup));
        emit Rollup.ChallengeResolved(1, false, challenger);
        vm.prank(guardian);
        rollup.resolve(1, false);

        assertEq(rollup.outputCount(), 1);
        assertEq(rollup.latestBlockNumber(), 10);
        assertEq(rollup.credits(challenger), CHALLENGER_BOND + 2 * PROPOSER_BOND);
        assertEq(rollup.credits(other), CHALLENGER_BOND);
        assertEq(rollup.credits(proposer), 0);
        assertEq(address(rollup).balance, PROPOSER_BOND + rollup.credits(challenger) + rollup.credits(other));
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 1));
        rollup.getOutput(1);
        assertFalse(rollup.isFinalized(1));
        // A new output can be proposed over the deleted range.
        _propose(20, keccak256("r1-fixed"));
        assertEq(rollup.getOutput(1).outputRoot, keccak256("r1-fixed"));
    }

    function test_resolve_laterOutputWaitsForEarlierChallenge_succeeds() external {
        // Output 2's window passes while output 1's challenge is pending: it must not finalize, because an
        // upheld challenge on output 1 deletes it too.
        _challenge(1);
        vm.warp(block.timestamp + WINDOW);
        assertTrue(rollup.isFinalized(0), "earlier outputs are unaffected");
        assertFalse(rollup.isFinalized(2), "a later output waits for the earlier challenge");
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFinalized.selector, 2));
        rollup.reclaimProposerBond(2);
        assertEq(rollup.pendingChallenges().length, 1);

        vm.prank(guardian);
        rollup.resolve(1, true);
        assertEq(rollup.pendingChallenges().length, 0);
        assertTrue(rollup.isFinalized(1));
        assertTrue(rollup.isFinalized(2), "finalizes once the earlier challenge is resolved as valid");
        rollup.reclaimProposerBond(2);
        assertEq(rollup.credits(proposer), CHALLENGER_BOND + PROPOSER_BOND);
    }

    function test_resolve_invalidClearsLaterPendingChallenges_succeeds() external {
        _challengeOneAndTwo();
        assertEq(rollup.pendingChallenges().length, 2);
        vm.prank(guardian);
        rollup.resolve(1, false);
        assertEq(rollup.pendingChallenges().length, 0, "the deleted output's challenge is no longer pending");
        vm.warp(block.timestamp + WINDOW);
        assertTrue(rollup.isFinalized(0));
    }

    function test_resolve_whilePaused_succeeds() external {
        _challenge(0);
        vm.startPrank(guardian);
        rollup.pause();
        rollup.resolve(0, false);
        vm.stopPrank();
        assertEq(rollup.outputCount(), 0);
    }

    function test_resolve_notGuardian_reverts() external {
        _challenge(1);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotGuardian.selector, owner));
        vm.prank(owner);
        rollup.resolve(1, false);
    }

    function test_resolve_missingOutput_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 3));
        vm.prank(guardian);
        rollup.resolve(3, false);
    }

    function test_resolve_notChallenged_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.NoPendingChallenge.selector, 1));
        vm.prank(guardian);
        rollup.resolve(1, false);
    }

    function test_resolve_alreadyResolved_reverts() external {
        _challenge(1);
        vm.startPrank(guardian);
        rollup.resolve(1, true);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NoPendingChallenge.selector, 1));
        rollup.resolve(1, false);
        vm.stopPrank();
    }
}

contract Rollup_ReclaimProposerBond_Test is Rollup_TestInit {
    function setUp() public override {
        super.setUp();
        _propose(10, keccak256("r0"));
    }

    function test_reclaimProposerBond_finalized_succeeds() external {
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(true, true, false, true, address(rollup));
        emit Rollup.ProposerBondReclaimed(0, proposer, PROPOSER_BOND);
        vm.expectEmit(true, false, false, true, address(rollup));
        emit Rollup.Credited(proposer, PROPOSER_BOND);
        vm.prank(alice);
        rollup.reclaimProposerBond(0);
        assertEq(rollup.credits(proposer), PROPOSER_BOND);
        assertTrue(rollup.getOutput(0).bondReclaimed);
    }

    function test_reclaimProposerBond_missing_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 1));
        rollup.reclaimProposerBond(1);
    }

    function test_reclaimProposerBond_inWindow_reverts() external {
        vm.warp(block.timestamp + WINDOW - 1);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFinalized.selector, 0));
        rollup.reclaimProposerBond(0);
    }

    function test_reclaimProposerBond_pendingChallenge_reverts() external {
        _challenge(0);
        vm.warp(block.timestamp + 2 * WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFinalized.selector, 0));
        rollup.reclaimProposerBond(0);
    }

    function test_reclaimProposerBond_twice_reverts() external {
        vm.warp(block.timestamp + WINDOW);
        rollup.reclaimProposerBond(0);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BondAlreadyReclaimed.selector, 0));
        rollup.reclaimProposerBond(0);
    }
}

contract Rollup_WithdrawCredits_Test is Rollup_TestInit {
    function setUp() public override {
        super.setUp();
        _propose(10, keccak256("r0"));
    }

    function test_withdrawCredits_afterWin_succeeds() external {
        _challengeAndResolve(0, false);
        uint256 before = challenger.balance;
        vm.expectEmit(true, false, false, true, address(rollup));
        emit Rollup.CreditsWithdrawn(challenger, CHALLENGER_BOND + PROPOSER_BOND);
        vm.prank(challenger);
        rollup.withdrawCredits();
        assertEq(challenger.balance, before + CHALLENGER_BOND + PROPOSER_BOND);
        assertEq(rollup.credits(challenger), 0);
        assertEq(address(rollup).balance, 0);
    }

    function test_withdrawCredits_none_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.NoCredits.selector, alice));
        vm.prank(alice);
        rollup.withdrawCredits();
    }

    function test_withdrawCredits_twice_reverts() external {
        vm.warp(block.timestamp + WINDOW);
        rollup.reclaimProposerBond(0);
        vm.startPrank(proposer);
        rollup.withdrawCredits();
        vm.expectRevert(abi.encodeWithSelector(Rollup.NoCredits.selector, proposer));
        rollup.withdrawCredits();
        vm.stopPrank();
    }

    function test_withdrawCredits_receiverRejects_reverts() external {
        EtherRejecter rejecter = new EtherRejecter();
        rejecter.challenge{value: CHALLENGER_BOND}(rollup, 0);
        vm.prank(guardian);
        rollup.resolve(0, false);
        uint256 amount = CHALLENGER_BOND + PROPOSER_BOND;
        vm.expectRevert(abi.encodeWithSelector(Rollup.CreditTransferFailed.selector, address(rejecter), amount));
        rejecter.withdraw(rollup);
        assertEq(rollup.credits(address(rejecter)), amount, "credits kept");
    }
}

contract Rollup_Views_Test is Rollup_TestInit {
    function test_isFinalized_missing_succeeds() external view {
        assertFalse(rollup.isFinalized(0));
    }

    function test_isFinalized_windowBoundary_succeeds() external {
        _propose(10, keccak256("r0"));
        uint256 t = rollup.getOutput(0).timestamp;
        vm.warp(t + WINDOW - 1);
        assertFalse(rollup.isFinalized(0));
        vm.warp(t + WINDOW);
        assertTrue(rollup.isFinalized(0));
    }

    function test_getOutput_missing_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputNotFound.selector, 0));
        rollup.getOutput(0);
    }

    function test_latestBlockNumber_tracksOutputs_succeeds() external {
        assertEq(rollup.latestBlockNumber(), 0);
        _propose(7, keccak256("a"));
        assertEq(rollup.latestBlockNumber(), 7);
        _propose(9, keccak256("b"));
        assertEq(rollup.latestBlockNumber(), 9);
    }
}
