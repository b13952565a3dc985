// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// The `aggregate3` entry point of Multicall3 (the only one viem's multicall uses), for nodes that lack the canonical
/// Multicall3 at 0xcA11bde05977b3631167028862bE2a173976CA11 (anvil has no such predeploy). Our node must have the
/// canonical one in genesis; wallet-flow.mjs --strict requires it.
contract MulticallLite {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory ret) = calls[i].target.call(calls[i].callData);
            require(success || calls[i].allowFailure, "Multicall3: call failed");
            returnData[i] = Result(success, ret);
        }
    }
}
