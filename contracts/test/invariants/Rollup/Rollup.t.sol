// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rollup} from "../../../src/L1/Rollup.sol";
import {InvariantTest} from "../InvariantSetup.sol";
import {RollupHandler} from "./handlers/RollupHandler.sol";

/// @notice Deploys a Rollup and a handler that owns no role but pranks the role holders. Handler actions are
///         valid by construction, so any revert fails the campaign (fail-on-revert, set inline below).
abstract contract Rollup_Invariant_Base is InvariantTest {
    Rollup internal rollup;
    RollupHandler internal handler;

    function setUp() public virtual override {
        super.setUp();
        rollup = _deployRollup();
        handler = new RollupHandler(rollup, BATCHER, PROPOSER, GUARDIAN);
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = RollupHandler.submitBatch.selector;
        selectors[1] = RollupHandler.submitBlobBatch.selector;
        selectors[2] = RollupHandler.submitMisplacedBatch.selector;
        selectors[3] = RollupHandler.proposeOutput.selector;
        selectors[4] = RollupHandler.challenge.selector;
        selectors[5] = RollupHandler.resolve.selector;
        selectors[6] = RollupHandler.reclaimProposerBond.selector;
        selectors[7] = RollupHandler.withdrawCredits.selector;
        selectors[8] = RollupHandler.warp.selector;
        selectors[9] = RollupHandler.submitBatch.selector; // batches twice as likely
        _targetHandler(address(handler), selectors);
    }

    /// @dev Every run really exercised the Rollup: successful calls were made, hostile ones all failed.
    function afterInvariant() external view {
        assertGt(handler.totalSuccesses(), 0, "handler made no successful call");
        assertGt(handler.successes("submitBatch") + handler.successes("submitBlobBatch"), 0, "no batch");
        assertEq(handler.violations(), 0, "hostile call succeeded");
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Rollup_BatchChainContiguous_Invariant is Rollup_Invariant_Base {
    /// @custom:invariant R-01 Batches cover L2 blocks 1, 2, 3, ... contiguously: each block exactly once.
    function invariant_batchesContiguous() external view {
        uint256 n = handler.rangeCount();
        assertEq(rollup.batchCount(), n, "batch count");
        uint64 expected = 1;
        uint256 covered;
        for (uint256 i = 0; i < n; ++i) {
            (uint64 first, uint64 last) = handler.ranges(i);
            assertEq(uint256(first), uint256(expected), "gap or overlap");
            assertLe(first, last, "empty range");
            covered += uint256(last) - first + 1;
            expected = last + 1;
        }
        assertEq(uint256(rollup.nextBlock()), uint256(expected), "nextBlock");
        assertEq(covered, uint256(rollup.nextBlock()) - 1, "each block exactly once");
    }

    /// @custom:invariant R-02 The batch chain hash equals the hash chain recomputed from every batch.
    function invariant_batchChainHash() external view {
        assertEq(rollup.batchChainHash(), handler.ghostChainHash());
    }

    /// @custom:invariant R-03 Misplaced batches are always rejected.
    function invariant_misplacedBatchesRejected() external view {
        assertEq(handler.violations(), 0);
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Rollup_BondSolvency_Invariant is Rollup_Invariant_Base {
    /// @custom:invariant R-04 Rollup ETH balance == unpaid bonds of live outputs + credits of every account.
    function invariant_balanceEqualsBondsPlusCredits() external view {
        uint256 owed;
        uint256 n = rollup.outputCount();
        for (uint256 i = 0; i < n; ++i) {
            Rollup.Output memory o = rollup.getOutput(i);
            if (!o.bondReclaimed) owed += rollup.proposerBond();
            if (o.challenger != address(0) && !o.challengeResolved) owed += rollup.challengerBond();
        }
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            owed += rollup.credits(handler.actors(i));
        }
        assertEq(address(rollup).balance, owed, "balance != bonds + credits");
    }

    /// @custom:invariant R-05 Rollup ETH balance == bonds paid in - credits withdrawn.
    function invariant_balanceEqualsFlows() external view {
        assertEq(address(rollup).balance, handler.ghostEthIn() - handler.ghostEthOut());
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Rollup_OutputOrdering_Invariant is Rollup_Invariant_Base {
    /// @custom:invariant R-06 Outputs have strictly increasing L2 blocks, all covered by batches; none is
    ///                   final while a challenge on it or on an earlier output is pending.
    function invariant_outputsOrderedAndBatched() external view {
        uint256 n = rollup.outputCount();
        uint256 prev;
        bool pendingSeen;
        for (uint256 i = 0; i < n; ++i) {
            Rollup.Output memory o = rollup.getOutput(i);
            assertGt(o.l2BlockNumber, prev, "not increasing");
            assertLe(uint256(o.l2BlockNumber) + 1, rollup.nextBlock(), "not batched");
            prev = o.l2BlockNumber;
            if (o.challenger != address(0) && !o.challengeResolved) pendingSeen = true;
            // An upheld challenge deletes every later output, so none of them may be final meanwhile.
            if (pendingSeen) assertFalse(rollup.isFinalized(i), "final at or after a pending challenge");
        }
        assertEq(rollup.latestBlockNumber(), prev, "latestBlockNumber");
    }
}
