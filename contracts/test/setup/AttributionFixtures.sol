// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AttributionSettlement} from "../../src/L2/AttributionSettlement.sol";

/// @title AttributionFixtures
/// @notice Settlements as the unit tests and the invariant handler build them.
library AttributionFixtures {
    /// @dev A settlement of `requestHash`, with output and evidence hashes derived from it.
    function settlement(uint256 modelId, bytes32 requestHash, uint256[] memory ids, uint256[] memory weights)
        internal
        pure
        returns (AttributionSettlement.Settlement memory)
    {
        return AttributionSettlement.Settlement({
            modelId: modelId,
            requestHash: requestHash,
            outputHash: keccak256(abi.encode("output", requestHash)),
            evidenceHash: keccak256(abi.encode("evidence", requestHash)),
            contributions: ids,
            weightsBps: weights
        });
    }

    /// @dev `n` distinct contributions of `pool` (n <= pool.length), consecutive from a start drawn from `seed`,
    ///      and weights >= 1 summing to 10000.
    function randomAttribution(uint256[] memory pool, uint256 n, uint256 seed)
        internal
        pure
        returns (uint256[] memory ids, uint256[] memory w)
    {
        ids = new uint256[](n);
        w = new uint256[](n);
        uint256 start = seed % pool.length;
        uint256 remaining = 10_000 - n;
        for (uint256 i = 0; i < n; ++i) {
            ids[i] = pool[(start + i) % pool.length];
            uint256 extra = i == n - 1 ? remaining : uint256(keccak256(abi.encode(seed, i))) % (remaining + 1);
            w[i] = 1 + extra;
            remaining -= extra;
        }
    }
}
