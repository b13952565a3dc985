// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Rollup} from "../../src/L1/Rollup.sol";

/// @notice A challenger that cannot receive ETH (no receive/fallback).
contract EtherRejecter {
    function challenge(Rollup rollup, uint256 outputIndex) external payable {
        rollup.challenge{value: msg.value}(outputIndex);
    }

    function withdraw(Rollup rollup) external {
        rollup.withdrawCredits();
    }
}
