// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Burn
/// @notice Destroys native balance: a contract created and self-destructed in the same transaction burns
///         everything sent to it (EIP-6780 keeps that behaviour for same-transaction creations).
library Burn {
    /// @notice Burns `amount` wei of native balance held by the caller.
    function eth(uint256 amount) internal {
        new Burner{value: amount}();
    }
}

/// @title Burner
/// @notice Self-destructs to itself on creation, which removes its balance from supply.
contract Burner {
    constructor() payable {
        selfdestruct(payable(address(this)));
    }
}
