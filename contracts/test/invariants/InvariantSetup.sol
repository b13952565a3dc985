// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Rollup} from "../../src/L1/Rollup.sol";

/// @title InvariantTest
/// @notice What every invariant suite shares: a fixed start (clock and L1 height), the role holders, the Rollup the
///         L1 suites run against, and the targeting of one handler.
abstract contract InvariantTest is Test {
    address internal constant TREASURY = address(0x7EA5);
    address internal constant BATCHER = address(0xBA7C);
    address internal constant PROPOSER = address(0xB0B0);
    address internal constant GUARDIAN = address(0x6A4D);

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        vm.roll(1000);
    }

    /// @dev The Rollup every L1 suite runs against, owned by the suite: a one-day window and unequal bonds, so that
    ///      bond accounting mistakes cannot cancel out.
    function _deployRollup() internal returns (Rollup) {
        return new Rollup(
            Rollup.Config({
                owner: address(this),
                batcher: BATCHER,
                proposer: PROPOSER,
                guardian: GUARDIAN,
                challengeWindow: 1 days,
                proposerBond: 1 ether,
                challengerBond: 0.3 ether,
                l2ChainId: 42069,
                l2GenesisHash: keccak256("genesis")
            })
        );
    }

    /// @dev The campaign calls `handler` only, and only through `selectors` (a selector listed twice is called
    ///      twice as often).
    function _targetHandler(address handler, bytes4[] memory selectors) internal {
        targetContract(handler);
        targetSelector(FuzzSelector(handler, selectors));
    }
}

/// @title InvariantHandler
/// @notice What every handler shares: its actors, and the successful calls per action and in total, so that a
///         suite can check that a run really exercised the system.
abstract contract InvariantHandler is Test {
    /// @notice Every account the handler acts for.
    address[] public actors;
    mapping(bytes32 => uint256) public successes;
    uint256 public totalSuccesses;

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function _succeeded(bytes32 action) internal {
        successes[action]++;
        totalSuccesses++;
    }

    /// @dev `account` calls `pull` (a claim or withdrawal of all it is owed); true iff it received exactly `owed`.
    function _pullPaysExactly(address account, function() external pull, uint256 owed) internal returns (bool) {
        uint256 before = account.balance;
        vm.prank(account);
        pull();
        return account.balance == before + owed;
    }
}
