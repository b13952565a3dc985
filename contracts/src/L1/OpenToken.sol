// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title OpenToken
/// @notice OPEN, the L1 ERC-20 that is Tributary's native gas token on L2. The whole fixed supply is minted
///         once to a treasury at construction; there is no mint function afterwards.
contract OpenToken is ERC20, ERC20Permit, ERC20Burnable {
    /// @notice The fixed supply: 1,000,000,000 OPEN with 18 decimals.
    uint256 public constant INITIAL_SUPPLY = 1_000_000_000 ether;

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice Mints the fixed supply to `treasury`.
    /// @param treasury The account that receives all of the supply (must not be the zero address).
    constructor(address treasury) ERC20("Open", "OPEN") ERC20Permit("Open") {
        _mint(treasury, INITIAL_SUPPLY);
    }
}
