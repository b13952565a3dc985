// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rollup} from "../../../../src/L1/Rollup.sol";
import {InvariantHandler} from "../../InvariantSetup.sol";

/// @title RollupHandler
/// @notice Drives the Rollup through valid batches, proposals, challenges, resolutions, bond reclaims and
///         credit withdrawals (each valid by construction, so each must succeed), plus hostile batches that
///         must fail. Keeps ghost state for the invariants and counts successes per action.
contract RollupHandler is InvariantHandler {
    struct Range {
        uint64 first;
        uint64 last;
    }

    Rollup public immutable rollup;
    address public immutable batcher;
    address public immutable proposer;
    address public immutable guardian;

    Range[] public ranges;
    bytes32 public ghostChainHash;
    uint256 public ghostEthIn;
    uint256 public ghostEthOut;
    uint256 public violations;

    constructor(Rollup rollup_, address batcher_, address proposer_, address guardian_) {
        rollup = rollup_;
        batcher = batcher_;
        proposer = proposer_;
        guardian = guardian_;
        actors.push(proposer_);
        actors.push(address(0xC1));
        actors.push(address(0xC2));
        actors.push(address(0xC3));
        for (uint256 i = 0; i < actors.length; ++i) {
            vm.deal(actors[i], 1_000_000 ether);
        }
    }

    // ------------------------------------------------------------ views for the invariants

    function rangeCount() external view returns (uint256) {
        return ranges.length;
    }

    // ------------------------------------------------------------ actions

    function submitBatch(uint64 length, bytes memory data) public {
        length = uint64(bound(length, 0, 50));
        uint64 first = rollup.nextBlock();
        vm.prank(batcher);
        rollup.submitBatch(first, first + length, data);
        _recordBatch(first, first + length, keccak256(data));
        _succeeded("submitBatch");
    }

    function submitBlobBatch(uint64 length, uint256 blobCount, uint256 salt) external {
        length = uint64(bound(length, 0, 50));
        blobCount = bound(blobCount, 1, 6);
        bytes32[] memory hashes = new bytes32[](blobCount);
        for (uint256 i = 0; i < blobCount; ++i) {
            hashes[i] = bytes32((uint256(1) << 248) | (uint256(keccak256(abi.encode(salt, i))) >> 8));
        }
        uint64 first = rollup.nextBlock();
        vm.blobhashes(hashes);
        vm.prank(batcher);
        rollup.submitBlobBatch(first, first + length, blobCount);
        _recordBatch(first, first + length, keccak256(abi.encodePacked(hashes)));
        _succeeded("submitBlobBatch");
    }

    /// @dev Hostile: a batch that does not start at nextBlock() must be rejected.
    function submitMisplacedBatch(uint64 first, uint64 last) external {
        uint64 next = rollup.nextBlock();
        if (first == next) first = next + 1;
        vm.prank(batcher);
        try rollup.submitBatch(first, last, "") {
            violations++;
        } catch {}
    }

    function proposeOutput(uint256 delta, bytes32 root) public returns (uint256 outputIndex) {
        delta = bound(delta, 1, 20);
        if (root == bytes32(0)) root = keccak256(abi.encode(delta));
        uint256 l2Block = rollup.latestBlockNumber() + delta;
        if (rollup.nextBlock() <= l2Block) submitBatch(uint64(l2Block - rollup.nextBlock()), "auto");
        vm.roll(block.number + 1);
        uint256 bond = rollup.proposerBond();
        outputIndex = rollup.outputCount();
        vm.prank(proposer);
        rollup.proposeOutput{value: bond}(l2Block, root, blockhash(block.number - 1), block.number - 1);
        ghostEthIn += bond;
        _succeeded("proposeOutput");
    }

    function challenge(uint256 seed, uint256 actorSeed) public returns (uint256 outputIndex) {
        (bool found, uint256 idx) = _find(seed, _challengeable);
        if (!found) idx = proposeOutput(seed, bytes32(0));
        address who = actors[1 + (actorSeed % (actors.length - 1))];
        uint256 bond = rollup.challengerBond();
        vm.prank(who);
        rollup.challenge{value: bond}(idx);
        ghostEthIn += bond;
        _succeeded("challenge");
        return idx;
    }

    function resolve(uint256 seed, bool valid) external {
        (bool found, uint256 idx) = _find(seed, _pending);
        if (!found) idx = challenge(seed, seed >> 8);
        vm.prank(guardian);
        rollup.resolve(idx, valid);
        _succeeded("resolve");
    }

    function reclaimProposerBond(uint256 seed) external {
        (bool found, uint256 idx) = _find(seed, _reclaimable);
        if (!found) {
            // An output cannot finalize behind a pending challenge: the guardian settles those first.
            uint256[] memory pending = rollup.pendingChallenges();
            for (uint256 k = 0; k < pending.length; ++k) {
                vm.prank(guardian);
                rollup.resolve(pending[k], true);
                _succeeded("resolve");
            }
            idx = proposeOutput(seed, bytes32(0));
            vm.warp(block.timestamp + rollup.challengeWindow());
        }
        rollup.reclaimProposerBond(idx);
        _succeeded("reclaimProposerBond");
    }

    function withdrawCredits(uint256 actorSeed) external {
        address who = actors[actorSeed % actors.length];
        uint256 amount = rollup.credits(who);
        if (amount == 0) return;
        if (!_pullPaysExactly(who, rollup.withdrawCredits, amount)) violations++;
        ghostEthOut += amount;
        _succeeded("withdrawCredits");
    }

    function warp(uint256 secs) external {
        secs = bound(secs, 1, 2 * uint256(rollup.challengeWindow()));
        vm.warp(block.timestamp + secs);
    }

    // ------------------------------------------------------------ helpers

    function _recordBatch(uint64 first, uint64 last, bytes32 dataHash) internal {
        ranges.push(Range(first, last));
        ghostChainHash = keccak256(abi.encode(ghostChainHash, first, last, dataHash));
    }

    function _challengeable(uint256 i) internal view returns (bool) {
        Rollup.Output memory o = rollup.getOutput(i);
        return o.challenger == address(0) && block.timestamp < uint256(o.timestamp) + rollup.challengeWindow();
    }

    function _pending(uint256 i) internal view returns (bool) {
        Rollup.Output memory o = rollup.getOutput(i);
        return o.challenger != address(0) && !o.challengeResolved;
    }

    function _reclaimable(uint256 i) internal view returns (bool) {
        return rollup.isFinalized(i) && !rollup.getOutput(i).bondReclaimed;
    }

    function _find(uint256 seed, function(uint256) internal view returns (bool) pred)
        internal
        view
        returns (bool, uint256)
    {
        uint256 n = rollup.outputCount();
        if (n == 0) return (false, 0);
        uint256 start = seed % n;
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = (start + k) % n;
            if (pred(i)) return (true, i);
        }
        return (false, 0);
    }
}
