// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rollup} from "../../src/L1/Rollup.sol";

/// @notice The Rollup every invariant suite runs against: a one-day window and unequal bonds, so that bond
///         accounting mistakes cannot cancel out.
function deployInvariantRollup(address owner, address batcher, address proposer, address guardian) returns (Rollup) {
    return new Rollup(
        Rollup.Config({
            owner: owner,
            batcher: batcher,
            proposer: proposer,
            guardian: guardian,
            challengeWindow: 1 days,
            proposerBond: 1 ether,
            challengerBond: 0.3 ether,
            l2ChainId: 42069,
            l2GenesisHash: keccak256("genesis")
        })
    );
}
