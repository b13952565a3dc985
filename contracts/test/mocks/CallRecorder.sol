// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A withdrawal target that records calls, can revert, and can burn gas.
contract CallRecorder {
    address public lastCaller;
    bytes public lastData;
    uint256 public calls;

    error Nope();

    function record(bytes calldata payload) external {
        lastCaller = msg.sender;
        lastData = payload;
        ++calls;
    }

    function fail() external pure {
        revert Nope();
    }

    function burnGas() external {
        while (true) {
            ++calls;
        }
    }
}
