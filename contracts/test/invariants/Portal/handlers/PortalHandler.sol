// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TrieTestLib} from "../../../utils/TrieTestLib.sol";
import {CallRecorder} from "../../../mocks/CallRecorder.sol";
import {OpenToken} from "../../../../src/L1/OpenToken.sol";
import {Rollup} from "../../../../src/L1/Rollup.sol";
import {Portal} from "../../../../src/L1/Portal.sol";
import {Hashing} from "../../../../src/libraries/Hashing.sol";
import {WithdrawalTransaction, OutputRootProof} from "../../../../src/libraries/Types.sol";
import {InvariantHandler} from "../../InvariantSetup.sol";

/// @title PortalHandler
/// @notice Drives the Portal through real flows: deposits (EOA and contract callers), withdrawals proven with
///         valid storage proofs (a one-leaf message passer storage trie per output, see TrieTestLib) against
///         outputs proposed on the Rollup, finalization after the window, and challenges that delete outputs.
///         Hostile actions (finalize early, finalize after deletion, finalize or prove twice) must fail; if one
///         succeeds it is counted as a violation.
contract PortalHandler is InvariantHandler {
    enum Status {
        Proven,
        Finalized,
        Invalidated
    }

    struct Pending {
        WithdrawalTransaction wd;
        uint256 outputIndex;
        Status status;
    }

    OpenToken public immutable token;
    Rollup public immutable rollup;
    Portal public immutable portal;
    address public immutable batcher;
    address public immutable proposer;
    address public immutable guardian;
    CallRecorder public immutable recorder;

    Pending[] internal _withdrawals;
    uint256 public ghostDeposited;
    uint256 public ghostReleased;
    uint256 public ghostPendingValue;
    uint256 public nonceCounter;

    /// @dev The L1 block of the deposits summed in ghostBlockDepositGas.
    uint256 public ghostDepositBlock;
    /// @dev Sum of the gas limits of the successful deposits made in ghostDepositBlock.
    uint256 public ghostBlockDepositGas;

    uint256 public violationsEarly;
    uint256 public violationsOverCap;
    uint256 public violationsInvalidated;
    uint256 public violationsTwice;
    mapping(bytes32 => uint256) public hostileAttempts;

    constructor(
        OpenToken token_,
        Rollup rollup_,
        Portal portal_,
        address batcher_,
        address proposer_,
        address guardian_,
        address treasury
    ) {
        token = token_;
        rollup = rollup_;
        portal = portal_;
        batcher = batcher_;
        proposer = proposer_;
        guardian = guardian_;
        recorder = new CallRecorder();
        for (uint256 i = 1; i <= 4; ++i) {
            address a = address(uint160(0xA000 + i));
            actors.push(a);
            vm.prank(treasury);
            token.transfer(a, 10_000_000 ether);
            vm.prank(a);
            token.approve(address(portal_), type(uint256).max);
            vm.deal(a, 1000 ether);
        }
        vm.deal(proposer_, 1_000_000 ether);
    }

    // ------------------------------------------------------------ views for the invariants

    function withdrawalCount() external view returns (uint256) {
        return _withdrawals.length;
    }

    function withdrawalAt(uint256 i) external view returns (WithdrawalTransaction memory, uint256, Status) {
        Pending storage p = _withdrawals[i];
        return (p.wd, p.outputIndex, p.status);
    }

    function violations() external view returns (uint256) {
        return violationsEarly + violationsInvalidated + violationsTwice + violationsOverCap;
    }

    // ------------------------------------------------------------ valid flows (must succeed)

    function deposit(uint256 actorSeed, uint256 mint, uint256 value, uint64 gasLimit, uint256 dataLen, bool viaContract)
        external
    {
        address actor = actors[actorSeed % actors.length];
        mint = bound(mint, 0, token.balanceOf(actor));
        dataLen = bound(dataLen, 0, 1_000);
        uint64 minGas = 21_000 + 40 * uint64(dataLen);
        // A full L1 block takes no more deposits: move on to the next one.
        if (_remainingDepositGas() < minGas) vm.roll(block.number + 1);
        uint64 maxGas = portal.maxDepositGasLimit();
        if (_remainingDepositGas() < maxGas) maxGas = _remainingDepositGas();
        gasLimit = uint64(bound(gasLimit, minGas, maxGas));
        uint256 before = token.balanceOf(address(portal));
        vm.prank(actor, viaContract ? address(0xE0A) : actor);
        portal.depositTransaction(actor, mint, value, gasLimit, false, new bytes(dataLen));
        if (token.balanceOf(address(portal)) != before + mint) revert("deposit did not lock mint");
        _countDepositGas(gasLimit);
        ghostDeposited += mint;
        _succeeded("deposit");
    }

    /// @dev Deposit gas still available in the current L1 block, by the handler's own count.
    function _remainingDepositGas() internal view returns (uint64) {
        uint256 used = ghostDepositBlock == block.number ? ghostBlockDepositGas : 0;
        // used <= maxDepositGasPerL1Block, a uint64
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(portal.maxDepositGasPerL1Block() - used);
    }

    function _countDepositGas(uint64 gasLimit) internal {
        if (ghostDepositBlock != block.number) {
            ghostDepositBlock = block.number;
            ghostBlockDepositGas = 0;
        }
        ghostBlockDepositGas += gasLimit;
    }

    /// @dev Deposit gas of the current L1 block, by the handler's own count (for the invariant).
    function ghostDepositGasUsed() external view returns (uint256) {
        return ghostDepositBlock == block.number ? ghostBlockDepositGas : 0;
    }

    function proveWithdrawal(uint256 actorSeed, uint256 value, bool withData) public returns (uint256 id) {
        uint256 available = ghostDeposited - ghostReleased - ghostPendingValue;
        value = bound(value, 0, available);
        (WithdrawalTransaction memory wd, OutputRootProof memory proof, bytes[] memory storageProof) =
            _build(actors[actorSeed % actors.length], value, withData);
        uint256 outputIndex = _propose(Hashing.hashOutputRootProof(proof));

        vm.prank(actors[(actorSeed >> 8) % actors.length]); // anyone may prove
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);

        id = _withdrawals.length;
        _withdrawals.push();
        Pending storage p = _withdrawals[id];
        p.wd = wd;
        p.outputIndex = outputIndex;
        p.status = Status.Proven;
        ghostPendingValue += value;
        _succeeded("prove");
    }

    /// @dev A fresh withdrawal, and an output root proof over a one-leaf storage trie that holds it.
    function _build(address actor, uint256 value, bool withData)
        internal
        returns (WithdrawalTransaction memory wd, OutputRootProof memory proof, bytes[] memory storageProof)
    {
        wd = WithdrawalTransaction({
            nonce: (uint256(1) << 240) | nonceCounter++,
            sender: actor,
            target: withData ? address(recorder) : actor,
            value: value,
            gasLimit: 100_000,
            data: withData ? abi.encodeCall(CallRecorder.record, (abi.encode(value))) : bytes("")
        });
        bytes32 withdrawalHash = Hashing.hashWithdrawal(wd);
        bytes32 storageRoot;
        (storageRoot, storageProof) = TrieTestLib.singleLeafProof(withdrawalHash);
        proof = OutputRootProof({
            version: bytes32(0),
            stateRoot: keccak256(abi.encode("state", withdrawalHash)),
            messagePasserStorageRoot: storageRoot,
            latestBlockhash: keccak256(abi.encode("block", withdrawalHash))
        });
    }

    function finalizeWithdrawal(uint256 seed, uint256 extraDelay) external {
        (bool found, uint256 id) = _find(seed, Status.Proven);
        if (!found) id = proveWithdrawal(seed, seed >> 16, seed % 3 == 0);
        Pending storage p = _withdrawals[id];
        uint256 finalAt = uint256(rollup.getOutput(p.outputIndex).timestamp) + rollup.challengeWindow();
        if (block.timestamp < finalAt) vm.warp(finalAt + bound(extraDelay, 0, 1 days));

        WithdrawalTransaction memory wd = p.wd;
        uint256 before = token.balanceOf(wd.target);
        uint256 calls = recorder.calls();
        portal.finalizeWithdrawal(wd);
        if (token.balanceOf(wd.target) != before + wd.value) revert("target did not receive value");
        if (wd.data.length > 0 && recorder.calls() != calls + 1) revert("call not made");
        p.status = Status.Finalized;
        ghostReleased += wd.value;
        ghostPendingValue -= wd.value;
        _succeeded("finalize");
    }

    function challengeAndResolve(uint256 seed, bool outputValid) external {
        (bool found, uint256 id) = _findChallengeable(seed);
        if (!found) id = proveWithdrawal(seed, seed >> 16, false);
        uint256 outputIndex = _withdrawals[id].outputIndex;
        address challenger = actors[seed % actors.length];
        uint256 bond = rollup.challengerBond();
        vm.prank(challenger);
        rollup.challenge{value: bond}(outputIndex);
        vm.prank(guardian);
        rollup.resolve(outputIndex, outputValid);
        if (!outputValid) {
            // That output and every later one are gone: their withdrawals can no longer finalize.
            for (uint256 i = 0; i < _withdrawals.length; ++i) {
                Pending storage p = _withdrawals[i];
                if (p.status == Status.Proven && p.outputIndex >= outputIndex) {
                    p.status = Status.Invalidated;
                    ghostPendingValue -= p.wd.value;
                }
            }
            _succeeded("challengeDelete");
        } else {
            _succeeded("challengeUphold");
        }
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 2 * uint256(rollup.challengeWindow())));
    }

    // ------------------------------------------------------------ hostile attempts (must fail)

    /// @dev A withdrawal whose output is still inside its window must not finalize.
    function finalizeEarly(uint256 seed) external {
        (bool found, uint256 id) = _find(seed, Status.Proven);
        if (!found || rollup.isFinalized(_withdrawals[id].outputIndex)) {
            id = proveWithdrawal(seed, seed >> 16, false); // a fresh output is inside its window
        }
        hostileAttempts["early"]++;
        try portal.finalizeWithdrawal(_withdrawals[id].wd) {
            violationsEarly++;
        } catch {}
    }

    /// @dev A withdrawal whose output was deleted by a successful challenge must never finalize, however long
    ///      we wait.
    function finalizeInvalidated(uint256 seed, uint256 delay) external {
        (bool found, uint256 id) = _find(seed, Status.Invalidated);
        if (!found) return;
        vm.warp(block.timestamp + rollup.challengeWindow() + bound(delay, 0, 30 days));
        hostileAttempts["invalidated"]++;
        try portal.finalizeWithdrawal(_withdrawals[id].wd) {
            violationsInvalidated++;
        } catch {}
    }

    /// @dev A finalized withdrawal can neither finalize again nor be proven again.
    function finalizeTwice(uint256 seed) external {
        (bool found, uint256 id) = _find(seed, Status.Finalized);
        if (!found) return;
        hostileAttempts["twice"]++;
        WithdrawalTransaction memory wd = _withdrawals[id].wd;
        try portal.finalizeWithdrawal(wd) {
            violationsTwice++;
        } catch {}
    }

    /// @dev A deposit above the gas left in this L1 block must fail, however the block got full.
    function depositOverCap(uint256 actorSeed, uint64 gasLimit) external {
        uint64 remaining = _remainingDepositGas();
        uint64 maxGas = portal.maxDepositGasLimit();
        if (remaining >= maxGas) return; // nothing above the remaining gas is a valid gas limit
        address actor = actors[actorSeed % actors.length];
        gasLimit = uint64(bound(gasLimit, uint256(remaining) + 1, maxGas));
        if (gasLimit < 21_000) gasLimit = 21_000;
        hostileAttempts["overCap"]++;
        vm.prank(actor, actor);
        try portal.depositTransaction(actor, 0, 0, gasLimit, false, "") {
            violationsOverCap++;
        } catch {}
    }

    // ------------------------------------------------------------ helpers

    function _propose(bytes32 outputRoot) internal returns (uint256 outputIndex) {
        uint256 l2Block = rollup.latestBlockNumber() + 1;
        uint64 next = rollup.nextBlock();
        if (next <= l2Block) {
            vm.prank(batcher);
            rollup.submitBatch(next, uint64(l2Block), "batch");
        }
        vm.roll(block.number + 1);
        outputIndex = rollup.outputCount();
        uint256 bond = rollup.proposerBond();
        vm.prank(proposer);
        rollup.proposeOutput{value: bond}(l2Block, outputRoot, blockhash(block.number - 1), block.number - 1);
    }

    function _find(uint256 seed, Status status) internal view returns (bool, uint256) {
        uint256 n = _withdrawals.length;
        if (n == 0) return (false, 0);
        uint256 start = seed % n;
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = (start + k) % n;
            if (_withdrawals[i].status == status) return (true, i);
        }
        return (false, 0);
    }

    function _findChallengeable(uint256 seed) internal view returns (bool, uint256) {
        uint256 n = _withdrawals.length;
        if (n == 0) return (false, 0);
        uint256 start = seed % n;
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = (start + k) % n;
            Pending storage p = _withdrawals[i];
            if (p.status != Status.Proven) continue;
            Rollup.Output memory o = rollup.getOutput(p.outputIndex);
            if (o.challenger == address(0) && block.timestamp < uint256(o.timestamp) + rollup.challengeWindow()) {
                return (true, i);
            }
        }
        return (false, 0);
    }
}
