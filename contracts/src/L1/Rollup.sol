// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Hashing} from "../libraries/Hashing.sol";

/// @title Rollup
/// @notice Tributary's settlement contract on L1: a hash chain of L2 batches (calldata or EIP-4844 blobs),
///         output root proposals with a challenge window, bonded challenges resolved by a guardian, and
///         pull payments of bonds.
contract Rollup is Ownable2Step, Pausable, ReentrancyGuard {
    /// @notice Deployment configuration.
    /// @param owner           Rotates the batcher, proposer and guardian (Ownable2Step).
    /// @param batcher         The only account allowed to submit batches.
    /// @param proposer        The only account allowed to propose outputs.
    /// @param guardian        Pauses/unpauses and resolves challenges.
    /// @param challengeWindow Seconds an output stays challengeable before it finalizes.
    /// @param proposerBond    Wei paid with every proposeOutput.
    /// @param challengerBond  Wei paid with every challenge.
    /// @param l2ChainId       Chain id of the L2.
    /// @param l2GenesisHash   Hash of L2 block 0.
    struct Config {
        address owner;
        address batcher;
        address proposer;
        address guardian;
        uint64 challengeWindow;
        uint256 proposerBond;
        uint256 challengerBond;
        uint64 l2ChainId;
        bytes32 l2GenesisHash;
    }

    /// @notice A proposed output.
    /// @param outputRoot     The output root (never zero for an existing output).
    /// @param l2BlockNumber  The L2 block the output commits to.
    /// @param timestamp      L1 timestamp of the proposal; the window runs from here.
    /// @param proposer       The account that paid the proposer bond.
    /// @param challenger     The challenger, or address(0) when never challenged.
    /// @param challengeResolved True once the guardian resolved the challenge as "output valid".
    /// @param bondReclaimed  True once the proposer bond was credited back.
    struct Output {
        bytes32 outputRoot;
        uint64 l2BlockNumber;
        uint64 timestamp;
        address proposer;
        address challenger;
        bool challengeResolved;
        bool bondReclaimed;
    }

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice The most L2 blocks one batch may cover (an hour of 1 s blocks). Derivation fills the range
    ///         of an invalid batch with empty blocks (docs/derivation.md), so the bound also bounds that work.
    uint64 public constant MAX_BLOCKS_PER_BATCH = 3600;

    /// @notice Seconds an output stays challengeable.
    uint64 public immutable challengeWindow;
    /// @notice Wei paid with every proposeOutput.
    uint256 public immutable proposerBond;
    /// @notice Wei paid with every challenge.
    uint256 public immutable challengerBond;
    /// @notice Chain id of the L2.
    uint64 public immutable l2ChainId;
    /// @notice Hash of L2 block 0.
    bytes32 public immutable l2GenesisHash;

    /// @notice The batcher role.
    address public batcher;
    /// @notice The proposer role.
    address public proposer;
    /// @notice The guardian role.
    address public guardian;

    /// @notice The first L2 block the next batch must start at (1 before any batch).
    uint64 public nextBlock;
    /// @notice Number of batches submitted.
    uint256 public batchCount;
    /// @notice Head of the batch hash chain (bytes32(0) before any batch).
    bytes32 public batchChainHash;

    /// @notice Withdrawable wei per account (pull payments).
    mapping(address => uint256) public credits;

    Output[] internal _outputs;

    /// @dev Indices of outputs with a pending (unresolved) challenge. An output is never final while it or an
    ///      earlier output is challenged: if the guardian upholds the challenge, every later output is deleted
    ///      too, so none of them may have been relied on. Short in practice (challenges are rare).
    uint256[] internal _pendingChallenges;

    /// @notice Emitted when the batcher changes.
    /// @param previousBatcher The old batcher.
    /// @param newBatcher      The new batcher.
    event BatcherUpdated(address indexed previousBatcher, address indexed newBatcher);

    /// @notice Emitted when the proposer changes.
    /// @param previousProposer The old proposer.
    /// @param newProposer      The new proposer.
    event ProposerUpdated(address indexed previousProposer, address indexed newProposer);

    /// @notice Emitted when the guardian changes.
    /// @param previousGuardian The old guardian.
    /// @param newGuardian      The new guardian.
    event GuardianUpdated(address indexed previousGuardian, address indexed newGuardian);

    /// @notice Emitted for every batch.
    /// @param batchIndex Index of the batch (0-based).
    /// @param firstBlock First L2 block in the batch.
    /// @param lastBlock  Last L2 block in the batch.
    /// @param dataHash   keccak256 of the calldata, or of the packed blob versioned hashes.
    /// @param chainHash  The batch chain hash after this batch.
    /// @param blobHashes The blob versioned hashes (empty for calldata batches).
    event BatchSubmitted(
        uint256 indexed batchIndex,
        uint64 firstBlock,
        uint64 lastBlock,
        bytes32 dataHash,
        bytes32 chainHash,
        bytes32[] blobHashes
    );

    /// @notice Emitted when an output is proposed.
    /// @param outputIndex   Index of the new output.
    /// @param outputRoot    The output root.
    /// @param l2BlockNumber The L2 block it commits to.
    /// @param l1Timestamp   L1 timestamp of the proposal.
    event OutputProposed(
        uint256 indexed outputIndex, bytes32 indexed outputRoot, uint256 indexed l2BlockNumber, uint256 l1Timestamp
    );

    /// @notice Emitted when an output is challenged.
    /// @param outputIndex The challenged output.
    /// @param challenger  The challenger (paid the challenger bond).
    event OutputChallenged(uint256 indexed outputIndex, address indexed challenger);

    /// @notice Emitted when the guardian resolves a challenge.
    /// @param outputIndex The challenged output.
    /// @param outputValid True when the output stands, false when it (and every later one) was deleted.
    /// @param challenger  The challenger.
    event ChallengeResolved(uint256 indexed outputIndex, bool outputValid, address indexed challenger);

    /// @notice Emitted when outputs `fromIndex .. previousCount-1` are deleted.
    /// @param fromIndex     The first deleted output.
    /// @param previousCount The number of outputs before the deletion.
    event OutputsDeleted(uint256 indexed fromIndex, uint256 previousCount);

    /// @notice Emitted when an account is credited wei it can withdraw.
    /// @param account The credited account.
    /// @param amount  The credited wei.
    event Credited(address indexed account, uint256 amount);

    /// @notice Emitted when a proposer bond is credited back after finalization.
    /// @param outputIndex The finalized output.
    /// @param proposer    The proposer credited.
    /// @param amount      The bond.
    event ProposerBondReclaimed(uint256 indexed outputIndex, address indexed proposer, uint256 amount);

    /// @notice Emitted when an account withdraws its credits.
    /// @param account The account.
    /// @param amount  The wei sent.
    event CreditsWithdrawn(address indexed account, uint256 amount);

    /// @notice A role address is zero.
    error ZeroAddress();
    /// @notice The caller is not the batcher.
    /// @param caller The caller.
    error NotBatcher(address caller);
    /// @notice The caller is not the proposer.
    /// @param caller The caller.
    error NotProposer(address caller);
    /// @notice The caller is not the guardian.
    /// @param caller The caller.
    error NotGuardian(address caller);
    /// @notice A batch does not start at `nextBlock`.
    /// @param expected   nextBlock().
    /// @param firstBlock The batch's first block.
    error UnexpectedFirstBlock(uint64 expected, uint64 firstBlock);
    /// @notice `lastBlock < firstBlock`, `lastBlock` is the largest uint64, or the range holds more than
    ///         MAX_BLOCKS_PER_BATCH blocks.
    /// @param firstBlock The batch's first block.
    /// @param lastBlock  The batch's last block.
    error InvalidBlockRange(uint64 firstBlock, uint64 lastBlock);
    /// @notice A blob batch with `blobCount == 0`.
    error NoBlobs();
    /// @notice The transaction has no blob at `index`.
    /// @param index The missing blob's index.
    error BlobMissing(uint256 index);
    /// @notice `msg.value` is not the required bond.
    /// @param expected The bond.
    /// @param actual   msg.value.
    error IncorrectBond(uint256 expected, uint256 actual);
    /// @notice The output root is zero.
    error ZeroOutputRoot();
    /// @notice `blockhash(l1BlockNumber)` is zero (future, current or too old).
    /// @param l1BlockNumber The L1 block.
    error L1BlockHashUnavailable(uint256 l1BlockNumber);
    /// @notice `blockhash(l1BlockNumber)` differs from the given hash (L1 reorged).
    /// @param l1BlockNumber The L1 block.
    /// @param expected      blockhash(l1BlockNumber).
    /// @param actual        The given hash.
    error L1BlockHashMismatch(uint256 l1BlockNumber, bytes32 expected, bytes32 actual);
    /// @notice The output's L2 block is not above the latest output's block.
    /// @param latestBlockNumber latestBlockNumber().
    /// @param l2BlockNumber     The proposed block.
    error L2BlockNumberTooLow(uint256 latestBlockNumber, uint256 l2BlockNumber);
    /// @notice The output's L2 block is not covered by a posted batch yet.
    /// @param nextBlock     nextBlock().
    /// @param l2BlockNumber The proposed block.
    error L2BlockNotBatched(uint256 nextBlock, uint256 l2BlockNumber);
    /// @notice No output at this index.
    /// @param outputIndex The index.
    error OutputNotFound(uint256 outputIndex);
    /// @notice The output was challenged already.
    /// @param outputIndex The index.
    error AlreadyChallenged(uint256 outputIndex);
    /// @notice The output's challenge window has passed.
    /// @param outputIndex The index.
    /// @param deadline    The end of the window (timestamp + challengeWindow).
    error ChallengeWindowClosed(uint256 outputIndex, uint256 deadline);
    /// @notice The output has no pending challenge.
    /// @param outputIndex The index.
    error NoPendingChallenge(uint256 outputIndex);
    /// @notice The output is not finalized.
    /// @param outputIndex The index.
    error OutputNotFinalized(uint256 outputIndex);
    /// @notice The proposer bond of this output was reclaimed already.
    /// @param outputIndex The index.
    error BondAlreadyReclaimed(uint256 outputIndex);
    /// @notice The account has no credits.
    /// @param account The account.
    error NoCredits(address account);
    /// @notice Sending the credits failed.
    /// @param account The account.
    /// @param amount  The wei.
    error CreditTransferFailed(address account, uint256 amount);

    modifier onlyBatcher() {
        if (msg.sender != batcher) revert NotBatcher(msg.sender);
        _;
    }

    modifier onlyProposer() {
        if (msg.sender != proposer) revert NotProposer(msg.sender);
        _;
    }

    modifier onlyGuardian() {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        _;
    }

    /// @notice Deploys the Rollup; window, bonds, chain id and genesis hash are immutable.
    /// @param config The configuration (role addresses must be non-zero).
    constructor(Config memory config) Ownable(config.owner) {
        if (config.batcher == address(0) || config.proposer == address(0) || config.guardian == address(0)) {
            revert ZeroAddress();
        }
        challengeWindow = config.challengeWindow;
        proposerBond = config.proposerBond;
        challengerBond = config.challengerBond;
        l2ChainId = config.l2ChainId;
        l2GenesisHash = config.l2GenesisHash;
        batcher = config.batcher;
        proposer = config.proposer;
        guardian = config.guardian;
        nextBlock = 1;
        emit BatcherUpdated(address(0), config.batcher);
        emit ProposerUpdated(address(0), config.proposer);
        emit GuardianUpdated(address(0), config.guardian);
    }

    // ---------------------------------------------------------------- roles

    /// @notice Replaces the batcher. Owner only.
    /// @param newBatcher The new batcher (non-zero).
    function setBatcher(address newBatcher) external onlyOwner {
        if (newBatcher == address(0)) revert ZeroAddress();
        emit BatcherUpdated(batcher, newBatcher);
        batcher = newBatcher;
    }

    /// @notice Replaces the proposer. Owner only.
    /// @param newProposer The new proposer (non-zero).
    function setProposer(address newProposer) external onlyOwner {
        if (newProposer == address(0)) revert ZeroAddress();
        emit ProposerUpdated(proposer, newProposer);
        proposer = newProposer;
    }

    /// @notice Replaces the guardian. Owner only.
    /// @param newGuardian The new guardian (non-zero).
    function setGuardian(address newGuardian) external onlyOwner {
        if (newGuardian == address(0)) revert ZeroAddress();
        emit GuardianUpdated(guardian, newGuardian);
        guardian = newGuardian;
    }

    /// @notice Pauses batches, outputs, challenges and the Portal's withdrawals. Guardian only.
    function pause() external onlyGuardian {
        _pause();
    }

    /// @notice Lifts the pause. Guardian only.
    function unpause() external onlyGuardian {
        _unpause();
    }

    // ---------------------------------------------------------------- batches

    /// @notice Submits a batch carried in calldata, covering L2 blocks `firstBlock ..= lastBlock`.
    /// @param firstBlock Must equal nextBlock().
    /// @param lastBlock  Last L2 block of the batch (>= firstBlock, at most MAX_BLOCKS_PER_BATCH blocks).
    /// @param data       The batch; dataHash = keccak256(data).
    function submitBatch(uint64 firstBlock, uint64 lastBlock, bytes calldata data) external onlyBatcher whenNotPaused {
        _appendBatch(firstBlock, lastBlock, keccak256(data), new bytes32[](0));
    }

    /// @notice Submits a batch carried in the transaction's blobs `0 .. blobCount-1`.
    /// @param firstBlock Must equal nextBlock().
    /// @param lastBlock  Last L2 block of the batch (>= firstBlock, at most MAX_BLOCKS_PER_BATCH blocks).
    /// @param blobCount  Number of blobs (> 0); dataHash = keccak256(abi.encodePacked(blobhash(0), ...)).
    function submitBlobBatch(uint64 firstBlock, uint64 lastBlock, uint256 blobCount)
        external
        onlyBatcher
        whenNotPaused
    {
        if (blobCount == 0) revert NoBlobs();
        bytes32[] memory hashes = new bytes32[](blobCount);
        for (uint256 i = 0; i < blobCount; ++i) {
            bytes32 h = blobhash(i);
            if (h == bytes32(0)) revert BlobMissing(i);
            hashes[i] = h;
        }
        _appendBatch(firstBlock, lastBlock, keccak256(abi.encodePacked(hashes)), hashes);
    }

    function _appendBatch(uint64 firstBlock, uint64 lastBlock, bytes32 dataHash, bytes32[] memory blobHashes) internal {
        uint64 expected = nextBlock;
        if (firstBlock != expected) revert UnexpectedFirstBlock(expected, firstBlock);
        if (lastBlock < firstBlock || lastBlock == type(uint64).max || lastBlock - firstBlock >= MAX_BLOCKS_PER_BATCH) {
            revert InvalidBlockRange(firstBlock, lastBlock);
        }
        bytes32 chainHash = Hashing.hashBatchChain(batchChainHash, firstBlock, lastBlock, dataHash);
        uint256 batchIndex = batchCount;
        nextBlock = lastBlock + 1;
        batchCount = batchIndex + 1;
        batchChainHash = chainHash;
        emit BatchSubmitted(batchIndex, firstBlock, lastBlock, dataHash, chainHash, blobHashes);
    }

    // ---------------------------------------------------------------- outputs

    /// @notice Proposes an output root for an L2 block already covered by batches. Proposer only, with the
    ///         proposer bond.
    /// @param l2BlockNumber Above latestBlockNumber() and below nextBlock().
    /// @param outputRoot    The output root (non-zero).
    /// @param l1BlockHash   The hash of L1 block `l1BlockNumber` the proposer saw.
    /// @param l1BlockNumber An L1 block within the last 256; its hash must equal `l1BlockHash`.
    function proposeOutput(uint256 l2BlockNumber, bytes32 outputRoot, bytes32 l1BlockHash, uint256 l1BlockNumber)
        external
        payable
        onlyProposer
        whenNotPaused
    {
        if (msg.value != proposerBond) revert IncorrectBond(proposerBond, msg.value);
        if (outputRoot == bytes32(0)) revert ZeroOutputRoot();
        bytes32 actualHash = blockhash(l1BlockNumber);
        if (actualHash == bytes32(0)) revert L1BlockHashUnavailable(l1BlockNumber);
        if (actualHash != l1BlockHash) revert L1BlockHashMismatch(l1BlockNumber, actualHash, l1BlockHash);
        uint256 latest = latestBlockNumber();
        if (l2BlockNumber <= latest) revert L2BlockNumberTooLow(latest, l2BlockNumber);
        if (l2BlockNumber >= nextBlock) revert L2BlockNotBatched(nextBlock, l2BlockNumber);

        uint256 outputIndex = _outputs.length;
        _outputs.push(
            Output({
                outputRoot: outputRoot,
                // forge-lint: disable-next-line(unsafe-typecast)
                l2BlockNumber: uint64(l2BlockNumber), // < nextBlock, a uint64
                // forge-lint: disable-next-line(unsafe-typecast)
                timestamp: uint64(block.timestamp), // fits until year 584942417355
                proposer: msg.sender,
                challenger: address(0),
                challengeResolved: false,
                bondReclaimed: false
            })
        );
        emit OutputProposed(outputIndex, outputRoot, l2BlockNumber, block.timestamp);
    }

    /// @notice Challenges an output inside its window, with the challenger bond. Anyone.
    /// @param outputIndex The output to challenge (not challenged before).
    function challenge(uint256 outputIndex) external payable whenNotPaused {
        Output storage output = _output(outputIndex);
        if (msg.value != challengerBond) revert IncorrectBond(challengerBond, msg.value);
        if (output.challenger != address(0)) revert AlreadyChallenged(outputIndex);
        uint256 deadline = uint256(output.timestamp) + challengeWindow;
        if (block.timestamp >= deadline) revert ChallengeWindowClosed(outputIndex, deadline);
        output.challenger = msg.sender;
        _pendingChallenges.push(outputIndex);
        emit OutputChallenged(outputIndex, msg.sender);
    }

    /// @notice Resolves a pending challenge. Guardian only.
    /// @dev When the output is invalid it and every later output are deleted: the challenger is credited its
    ///      bond plus every deleted output's proposer bond; challengers with pending challenges on
    ///      later outputs get their bonds back. When valid, the challenger bond goes to the output's proposer.
    /// @param outputIndex The challenged output.
    /// @param outputValid Whether the output is correct.
    function resolve(uint256 outputIndex, bool outputValid) external onlyGuardian {
        Output storage output = _output(outputIndex);
        address challenger = output.challenger;
        if (challenger == address(0) || output.challengeResolved) revert NoPendingChallenge(outputIndex);
        _clearPendingChallenges(outputIndex, outputValid);

        if (outputValid) {
            output.challengeResolved = true;
            _credit(output.proposer, challengerBond);
        } else {
            uint256 previousCount = _outputs.length;
            uint256 reward = challengerBond;
            for (uint256 i = previousCount; i > outputIndex; --i) {
                Output storage deleted = _outputs[i - 1];
                // Never reclaimed: a deleted output was never final (a pending challenge precedes it).
                reward += proposerBond;
                if (i - 1 != outputIndex && deleted.challenger != address(0) && !deleted.challengeResolved) {
                    _credit(deleted.challenger, challengerBond);
                }
                _outputs.pop();
            }
            _credit(challenger, reward);
            emit OutputsDeleted(outputIndex, previousCount);
        }
        emit ChallengeResolved(outputIndex, outputValid, challenger);
    }

    /// @notice Credits an output's proposer bond back to its proposer once the output is finalized. Anyone.
    /// @param outputIndex The finalized output (its bond not reclaimed before).
    function reclaimProposerBond(uint256 outputIndex) external {
        Output storage output = _output(outputIndex);
        if (!_isFinalized(outputIndex)) revert OutputNotFinalized(outputIndex);
        if (output.bondReclaimed) revert BondAlreadyReclaimed(outputIndex);
        output.bondReclaimed = true;
        emit ProposerBondReclaimed(outputIndex, output.proposer, proposerBond);
        _credit(output.proposer, proposerBond);
    }

    /// @notice Sends the caller all of its credits.
    function withdrawCredits() external nonReentrant {
        uint256 amount = credits[msg.sender];
        if (amount == 0) revert NoCredits(msg.sender);
        credits[msg.sender] = 0;
        emit CreditsWithdrawn(msg.sender, amount);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert CreditTransferFailed(msg.sender, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice Whether an output exists, its window has passed and no challenge is pending on it or on an
    ///         earlier output (an upheld challenge deletes every later output).
    /// @param outputIndex The output.
    /// @return True when the output is final.
    function isFinalized(uint256 outputIndex) external view returns (bool) {
        if (outputIndex >= _outputs.length) return false;
        return _isFinalized(outputIndex);
    }

    /// @notice Number of outputs.
    /// @return The count.
    function outputCount() external view returns (uint256) {
        return _outputs.length;
    }

    /// @notice An output; reverts with OutputNotFound when it does not exist.
    /// @param outputIndex The output.
    /// @return The output.
    function getOutput(uint256 outputIndex) external view returns (Output memory) {
        return _output(outputIndex);
    }

    /// @notice The L2 block of the latest output, 0 when there is none.
    /// @return The block number.
    function latestBlockNumber() public view returns (uint256) {
        uint256 n = _outputs.length;
        return n == 0 ? 0 : _outputs[n - 1].l2BlockNumber;
    }

    function _output(uint256 outputIndex) internal view returns (Output storage) {
        if (outputIndex >= _outputs.length) revert OutputNotFound(outputIndex);
        return _outputs[outputIndex];
    }

    /// @notice The indices of outputs whose challenge awaits the guardian.
    /// @return The indices, in no particular order.
    function pendingChallenges() external view returns (uint256[] memory) {
        return _pendingChallenges;
    }

    function _isFinalized(uint256 outputIndex) internal view returns (bool) {
        if (block.timestamp < uint256(_outputs[outputIndex].timestamp) + challengeWindow) return false;
        uint256 n = _pendingChallenges.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_pendingChallenges[i] <= outputIndex) return false;
        }
        return true;
    }

    /// @dev Drops the resolved challenge at `outputIndex` from the pending list, and when the output was
    ///      invalid also the challenges of every later output (they are deleted with it).
    function _clearPendingChallenges(uint256 outputIndex, bool onlyThis) internal {
        uint256 i = _pendingChallenges.length;
        while (i > 0) {
            --i;
            uint256 index = _pendingChallenges[i];
            if (onlyThis ? index == outputIndex : index >= outputIndex) {
                _pendingChallenges[i] = _pendingChallenges[_pendingChallenges.length - 1];
                _pendingChallenges.pop();
            }
        }
    }

    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        credits[account] += amount;
        emit Credited(account, amount);
    }
}
