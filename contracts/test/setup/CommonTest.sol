// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {TrieTestLib} from "../utils/TrieTestLib.sol";
import {OpenToken} from "../../src/L1/OpenToken.sol";
import {Rollup} from "../../src/L1/Rollup.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {Hashing} from "../../src/libraries/Hashing.sol";
import {WithdrawalTransaction, OutputRootProof} from "../../src/libraries/Types.sol";

/// @title CommonTest
/// @notice Deploys OpenToken, Rollup and Portal with named actors, and offers helpers to batch, propose and
///         prove.
abstract contract CommonTest is Test {
    uint64 internal constant WINDOW = 7 days;
    uint256 internal constant PROPOSER_BOND = 1 ether;
    uint256 internal constant CHALLENGER_BOND = 0.5 ether;
    uint64 internal constant L2_CHAIN_ID = 42069;
    bytes32 internal constant GENESIS = keccak256("tributary genesis");
    uint64 internal constant MAX_DEPOSIT_GAS = 30_000_000;
    uint64 internal constant MAX_DEPOSIT_GAS_PER_L1_BLOCK = 60_000_000;

    uint256 internal constant ALICE_PK = 0xA11CE;
    address internal alice;
    address internal owner;
    address internal batcher;
    address internal proposer;
    address internal guardian;
    address internal treasury;
    address internal challenger;

    OpenToken internal token;
    Rollup internal rollup;
    Portal internal portal;

    function setUp() public virtual {
        alice = vm.addr(ALICE_PK);
        vm.label(alice, "alice");
        owner = makeAddr("owner");
        batcher = makeAddr("batcher");
        proposer = makeAddr("proposer");
        guardian = makeAddr("guardian");
        treasury = makeAddr("treasury");
        challenger = makeAddr("challenger");

        vm.warp(1_700_000_000);
        vm.roll(1000);

        token = new OpenToken(treasury);
        rollup = new Rollup(_config());
        portal = new Portal(token, rollup, MAX_DEPOSIT_GAS, MAX_DEPOSIT_GAS_PER_L1_BLOCK);

        vm.deal(proposer, 1000 ether);
        vm.deal(challenger, 1000 ether);
        vm.prank(treasury);
        token.transfer(alice, 1_000_000 ether);
    }

    function _config() internal view returns (Rollup.Config memory) {
        return Rollup.Config({
            owner: owner,
            batcher: batcher,
            proposer: proposer,
            guardian: guardian,
            challengeWindow: WINDOW,
            proposerBond: PROPOSER_BOND,
            challengerBond: CHALLENGER_BOND,
            l2ChainId: L2_CHAIN_ID,
            l2GenesisHash: GENESIS
        });
    }

    /// @dev The challenger challenges `outputIndex` with its bond.
    function _challenge(uint256 outputIndex) internal {
        vm.prank(challenger);
        rollup.challenge{value: CHALLENGER_BOND}(outputIndex);
    }

    /// @dev The challenger challenges `outputIndex` and the guardian rules on it.
    function _challengeAndResolve(uint256 outputIndex, bool outputValid) internal {
        _challenge(outputIndex);
        vm.prank(guardian);
        rollup.resolve(outputIndex, outputValid);
    }

    /// @dev Submits a calldata batch from nextBlock() to `lastBlock`.
    function _batchTo(uint64 lastBlock) internal {
        uint64 first = rollup.nextBlock();
        vm.prank(batcher);
        rollup.submitBatch(first, lastBlock, abi.encodePacked("batch", first, lastBlock));
    }

    /// @dev Moves to a new L1 block and proposes `outputRoot` for `l2Block` (batching up to it if needed).
    function _propose(uint256 l2Block, bytes32 outputRoot) internal returns (uint256 outputIndex) {
        if (rollup.nextBlock() <= l2Block) _batchTo(uint64(l2Block));
        vm.roll(block.number + 1);
        outputIndex = rollup.outputCount();
        vm.prank(proposer);
        rollup.proposeOutput{value: PROPOSER_BOND}(l2Block, outputRoot, blockhash(block.number - 1), block.number - 1);
    }

    function _withdrawal(address target, uint256 value, bytes memory data)
        internal
        view
        returns (WithdrawalTransaction memory)
    {
        return WithdrawalTransaction({
            nonce: (uint256(1) << 240) | rollup.outputCount(),
            sender: alice,
            target: target,
            value: value,
            gasLimit: 100_000,
            data: data
        });
    }

    /// @dev An output root proof over a one-leaf message passer storage trie holding `wd`.
    function _outputFor(WithdrawalTransaction memory wd)
        internal
        pure
        returns (OutputRootProof memory proof, bytes[] memory storageProof, bytes32 outputRoot)
    {
        bytes32 storageRoot;
        (storageRoot, storageProof) = TrieTestLib.singleLeafProof(Hashing.hashWithdrawal(wd));
        proof = OutputRootProof({
            version: bytes32(0),
            stateRoot: keccak256("state"),
            messagePasserStorageRoot: storageRoot,
            latestBlockhash: keccak256("block")
        });
        outputRoot = Hashing.hashOutputRootProof(proof);
    }

    /// @dev Locks `amount` OPEN in the Portal through a deposit by alice.
    function _fundPortal(uint256 amount) internal {
        vm.startPrank(alice, alice);
        token.approve(address(portal), amount);
        portal.depositTransaction(alice, amount, 0, 100_000, false, "");
        vm.stopPrank();
    }

    /// @dev Funds the Portal, proposes an output holding `wd` and proves it. Returns the output index.
    function _proposeAndProve(WithdrawalTransaction memory wd) internal returns (uint256 outputIndex) {
        (OutputRootProof memory proof, bytes[] memory storageProof, bytes32 outputRoot) = _outputFor(wd);
        outputIndex = _propose(rollup.latestBlockNumber() + 1, outputRoot);
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }
}
