// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AddressAliasHelper
/// @notice OP Stack's L1 -> L2 address aliasing for deposits sent by contracts.
library AddressAliasHelper {
    /// @notice The alias offset.
    uint160 internal constant OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The L2 alias of an L1 contract address (wrapping addition).
    function applyL1ToL2Alias(address l1Address) internal pure returns (address l2Address) {
        unchecked {
            l2Address = address(uint160(l1Address) + OFFSET);
        }
    }

    /// @notice The L1 address behind an L2 alias (wrapping subtraction).
    function undoL1ToL2Alias(address l2Address) internal pure returns (address l1Address) {
        unchecked {
            l1Address = address(uint160(l2Address) - OFFSET);
        }
    }
}
