// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OpenToken} from "../../../src/L1/OpenToken.sol";
import {Rollup} from "../../../src/L1/Rollup.sol";
import {Portal} from "../../../src/L1/Portal.sol";
import {Hashing} from "../../../src/libraries/Hashing.sol";
import {WithdrawalTransaction} from "../../../src/libraries/Types.sol";
import {InvariantTest} from "../InvariantSetup.sol";
import {PortalHandler} from "./handlers/PortalHandler.sol";

/// @notice Deploys OpenToken, Rollup and Portal and a PortalHandler. Valid handler flows must never revert
///         (fail-on-revert is set inline on each invariant contract).
abstract contract Portal_Invariant_Base is InvariantTest {
    OpenToken internal token;
    Rollup internal rollup;
    Portal internal portal;
    PortalHandler internal handler;

    function setUp() public virtual override {
        super.setUp();
        token = new OpenToken(TREASURY);
        rollup = _deployRollup();
        // A cap of three largest deposits per L1 block: deposit runs fill blocks and roll to the next.
        portal = new Portal(token, rollup, 30_000_000, 90_000_000);
        handler = new PortalHandler(token, rollup, portal, BATCHER, PROPOSER, GUARDIAN, TREASURY);

        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = PortalHandler.deposit.selector;
        selectors[1] = PortalHandler.deposit.selector; // deposits twice as likely: they fund withdrawals
        selectors[2] = PortalHandler.proveWithdrawal.selector;
        selectors[3] = PortalHandler.finalizeWithdrawal.selector;
        selectors[4] = PortalHandler.finalizeWithdrawal.selector;
        selectors[5] = PortalHandler.challengeAndResolve.selector;
        selectors[6] = PortalHandler.warp.selector;
        selectors[7] = PortalHandler.finalizeEarly.selector;
        selectors[8] = PortalHandler.finalizeInvalidated.selector;
        selectors[9] = PortalHandler.finalizeTwice.selector;
        selectors[10] = PortalHandler.depositOverCap.selector;
        _targetHandler(address(handler), selectors);
    }

    /// @dev Every run really exercised the Portal, and no hostile call succeeded.
    function afterInvariant() external view {
        uint256 real = handler.successes("deposit") + handler.successes("prove") + handler.successes("finalize");
        assertGt(real, 0, "handler made no successful deposit/prove/finalize");
        assertEq(handler.violations(), 0, "hostile call succeeded");
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Portal_OpenConservation_Invariant is Portal_Invariant_Base {
    /// @custom:invariant P-01 The Portal's OPEN balance == OPEN deposited − OPEN released.
    function invariant_balanceEqualsDepositedMinusReleased() external view {
        assertEq(token.balanceOf(address(portal)), handler.ghostDeposited() - handler.ghostReleased());
    }

    /// @custom:invariant P-02 The Portal never releases more OPEN than was deposited.
    function invariant_releasedNotAboveDeposited() external view {
        assertLe(handler.ghostReleased(), handler.ghostDeposited());
    }

    /// @custom:invariant P-03 OPEN's total supply never changes (the Portal neither mints nor burns).
    function invariant_supplyConstant() external view {
        assertEq(token.totalSupply(), token.INITIAL_SUPPLY());
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Portal_FinalizeOnce_Invariant is Portal_Invariant_Base {
    /// @custom:invariant P-04 A withdrawal finalizes at most once: a second finalize always fails, the Portal
    ///                   marks exactly the finalized hashes, and OPEN released == sum of their values.
    function invariant_finalizeAtMostOnce() external view {
        assertEq(handler.violationsTwice(), 0, "finalized twice");
        uint256 sum;
        for (uint256 i = 0; i < handler.withdrawalCount(); ++i) {
            (WithdrawalTransaction memory wd,, PortalHandler.Status status) = handler.withdrawalAt(i);
            bool finalized = status == PortalHandler.Status.Finalized;
            assertEq(portal.finalizedWithdrawals(Hashing.hashWithdrawal(wd)), finalized, "finalized flag");
            if (finalized) sum += wd.value;
        }
        assertEq(sum, handler.ghostReleased(), "released != sum of finalized values");
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Portal_NoEarlyOrDeletedFinalization_Invariant is Portal_Invariant_Base {
    /// @custom:invariant P-05 Nothing finalizes while its output is inside the challenge window.
    function invariant_noFinalizationInsideWindow() external view {
        assertEq(handler.violationsEarly(), 0);
    }

    /// @custom:invariant P-06 Nothing finalizes against an output deleted by a successful challenge.
    function invariant_noFinalizationAfterDeletion() external view {
        assertEq(handler.violationsInvalidated(), 0);
        for (uint256 i = 0; i < handler.withdrawalCount(); ++i) {
            (WithdrawalTransaction memory wd,, PortalHandler.Status status) = handler.withdrawalAt(i);
            if (status == PortalHandler.Status.Invalidated) {
                assertFalse(portal.finalizedWithdrawals(Hashing.hashWithdrawal(wd)), "deleted output finalized");
            }
        }
    }
}

/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: ci.invariant.fail-on-revert = true
contract Portal_DepositGasCap_Invariant is Portal_Invariant_Base {
    /// @custom:invariant P-07 The deposit gas of an L1 block never exceeds maxDepositGasPerL1Block, the Portal
    ///                   counts exactly the gas limits of that block's deposits, and a deposit above the
    ///                   remaining gas always fails.
    function invariant_depositGasWithinCap() external view {
        assertLe(uint256(portal.depositGasUsed()), uint256(portal.maxDepositGasPerL1Block()));
        assertEq(uint256(portal.depositGasUsed()), handler.ghostDepositGasUsed(), "metered gas");
        assertEq(handler.violationsOverCap(), 0, "deposit above the cap succeeded");
    }
}
