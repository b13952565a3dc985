// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InvariantTest} from "../InvariantSetup.sol";
import {DataNetRegistry} from "../../../src/L2/DataNetRegistry.sol";
import {ModelRegistry} from "../../../src/L2/ModelRegistry.sol";
import {AttributionSettlement} from "../../../src/L2/AttributionSettlement.sol";
import {AttributionHandler} from "./handlers/AttributionHandler.sol";

/// @notice Deploys the three attribution contracts and an AttributionHandler. Valid handler flows must never
///         revert (fail-on-revert is set inline on each invariant contract).
abstract contract Attribution_Invariant_Base is InvariantTest {
    DataNetRegistry internal registry;
    ModelRegistry internal models;
    AttributionSettlement internal settlement;
    AttributionHandler internal handler;

    function setUp() public virtual override {
        super.setUp();
        address governance = address(0x6060);
        registry = new DataNetRegistry(governance, TREASURY);
        models = new ModelRegistry(registry);
        settlement = new AttributionSettlement(governance, TREASURY, registry, models);
        handler = new AttributionHandler(registry, models, settlement, governance, TREASURY);

        bytes4[] memory selectors = new bytes4[](21);
        selectors[0] = AttributionHandler.stake.selector;
        selectors[1] = AttributionHandler.stake.selector; // stake twice as likely: it feeds votes and rewards
        selectors[2] = AttributionHandler.requestUnbond.selector;
        selectors[3] = AttributionHandler.withdrawUnbonded.selector;
        selectors[4] = AttributionHandler.slash.selector;
        selectors[5] = AttributionHandler.submit.selector;
        selectors[6] = AttributionHandler.vote.selector;
        selectors[7] = AttributionHandler.vote.selector;
        selectors[8] = AttributionHandler.distributeReward.selector;
        selectors[9] = AttributionHandler.settle.selector;
        selectors[10] = AttributionHandler.settle.selector;
        selectors[11] = AttributionHandler.settleSigned.selector;
        selectors[12] = AttributionHandler.settleSigned.selector;
        selectors[13] = AttributionHandler.replaySigned.selector;
        selectors[14] = AttributionHandler.deposit.selector;
        selectors[15] = AttributionHandler.withdrawPrepaid.selector;
        selectors[16] = AttributionHandler.claimSettlement.selector;
        selectors[17] = AttributionHandler.claimRegistry.selector;
        selectors[18] = AttributionHandler.claimRewards.selector;
        selectors[19] = AttributionHandler.setFeeSplit.selector;
        selectors[20] = AttributionHandler.warp.selector;
        _targetHandler(address(handler), selectors);
    }

    /// @dev Every run really settled inferences, and no hostile call succeeded.
    function afterInvariant() external view {
        assertGt(handler.totalSuccesses(), 0, "handler made no successful call");
        assertEq(handler.violations(), 0, "hostile call succeeded or a payout was wrong");
    }

    function _settlementCredits() internal view returns (uint256 total) {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            total += settlement.credits(handler.actors(i));
        }
    }

    function _prepaid() internal view returns (uint256 total) {
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            total += settlement.prepaid(handler.actors(i));
        }
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Attribution_FeeConservation_Invariant is Attribution_Invariant_Base {
    /// @custom:invariant A-01 Every wei of every fee is credited in AttributionSettlement or forwarded to
    ///                   DataNetRegistry: fees paid == outstanding credits + claimed + forwarded.
    function invariant_feesFullyCredited() external view {
        assertEq(
            handler.ghostFees(),
            _settlementCredits() + handler.ghostSettlementClaimed() + handler.ghostForwarded(),
            "fees != credits + claimed + forwarded"
        );
    }

    /// @custom:invariant A-02 Claims never exceed credits: total claimed <= total fees, each claim pays exactly
    ///                   the claimer's credits and zeroes them, and a claim of nothing fails.
    function invariant_claimsWithinCredits() external view {
        assertLe(handler.ghostSettlementClaimed(), handler.ghostFees(), "claimed more than was paid in");
        assertEq(handler.violations(), 0, "a claim paid a wrong amount");
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Attribution_Solvency_Invariant is Attribution_Invariant_Base {
    /// @custom:invariant A-03 AttributionSettlement's balance == unclaimed credits + prepaid balances.
    function invariant_settlementBalance() external view {
        assertEq(address(settlement).balance, _settlementCredits() + _prepaid(), "settlement balance");
        assertEq(
            address(settlement).balance,
            handler.ghostPrepaidIn() + handler.ghostFeesByValue() - handler.ghostPrepaidOut()
                - handler.ghostSettlementClaimed() - handler.ghostForwarded(),
            "settlement flows"
        );
    }

    /// @custom:invariant A-04 DataNetRegistry's balance == unclaimed credits + active and unbonding stake +
    ///                   deposits of Pending contributions + every DataNet's reward balance; and == flows in - out.
    function invariant_registryBalance() external view {
        uint256 owed;
        for (uint256 i = 0; i < handler.actorCount(); ++i) {
            owed += registry.credits(handler.actors(i));
        }
        for (uint256 d = 0; d < 2; ++d) {
            uint256 dn = handler.datanets(d);
            owed += registry.datanet(dn).rewardBalance;
            for (uint256 i = 0; i < handler.validatorCount(); ++i) {
                DataNetRegistry.Validator memory v = registry.validator(dn, handler.validators(i));
                owed += v.stake + v.unbonding;
            }
        }
        uint256 n = registry.contributionCount();
        for (uint256 id = 1; id <= n; ++id) {
            DataNetRegistry.Contribution memory c = registry.contribution(id);
            if (c.status == DataNetRegistry.ContributionStatus.Pending) owed += c.deposit;
        }
        assertEq(address(registry).balance, owed, "registry balance != owed");
        assertEq(address(registry).balance, handler.ghostRegistryIn() - handler.ghostRegistryOut(), "registry flows");
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Attribution_RewardAccounting_Invariant is Attribution_Invariant_Base {
    /// @custom:invariant A-05 Per DataNet: totalStake == Σ validator stakes, validatorCount == validators with
    ///                   stake, rewardBalance × 1e18 == Σ unsettled scaled rewards + remainder, and the validators'
    ///                   pending rewards never exceed rewardBalance.
    function invariant_rewardAccountingExact() external view {
        for (uint256 d = 0; d < 2; ++d) {
            uint256 dn = handler.datanets(d);
            DataNetRegistry.DataNet memory net = registry.datanet(dn);
            uint256 staked;
            uint256 count;
            uint256 unsettled;
            uint256 pending;
            for (uint256 i = 0; i < handler.validatorCount(); ++i) {
                address account = handler.validators(i);
                DataNetRegistry.Validator memory v = registry.validator(dn, account);
                staked += v.stake;
                if (v.stake != 0) ++count;
                unsettled += v.stake * net.accRewardPerStake - v.rewardDebt + v.rewardCarry;
                pending += registry.pendingRewards(dn, account);
            }
            assertEq(net.totalStake, staked, "totalStake");
            assertEq(uint256(net.validatorCount), count, "validatorCount");
            assertEq(net.rewardBalance * 1e18, unsettled + net.rewardRemainder, "scaled conservation");
            assertLe(pending, net.rewardBalance, "rewards insolvent");
        }
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Attribution_SignedRequestOnce_Invariant is Attribution_Invariant_Base {
    /// @custom:invariant A-06 A signed request settles at most once: replays (exact, or re-hashed) always fail,
    ///                   every used nonce is marked, and inference ids count the successful settlements.
    function invariant_noDoubleUse() external view {
        assertEq(handler.violations(), 0, "replay succeeded");
        for (uint256 i = 0; i < handler.signedCount(); ++i) {
            assertTrue(settlement.nonceUsed(handler.signedUsers(i), handler.signedNonces(i)), "nonce not marked");
        }
        assertEq(settlement.inferenceCount(), handler.ghostSettlements(), "inference count");
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Attribution_ContentIndex_Invariant is Attribution_Invariant_Base {
    /// @custom:invariant A-07 contributionByHash points at every Pending or Accepted contribution (content hashes
    ///                   are unique), never at a Rejected one.
    function invariant_contentIndex() external view {
        uint256 n = registry.contributionCount();
        for (uint256 id = 1; id <= n; ++id) {
            DataNetRegistry.Contribution memory c = registry.contribution(id);
            uint256 byHash = registry.contributionByHash(c.contentHash);
            if (c.status == DataNetRegistry.ContributionStatus.Rejected) {
                assertTrue(byHash != id, "rejected still indexed");
            } else {
                assertEq(byHash, id, "live contribution not indexed");
            }
        }
    }
}
