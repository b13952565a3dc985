// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AttributionCommonTest, OpenRejecter, console} from "./AttributionCommon.t.sol";
import {DataNetRegistry} from "../../src/L2/DataNetRegistry.sol";

contract DataNetRegistry_TestInit is AttributionCommonTest {
    /// @dev Sum of credits of the actors these tests use.
    function _creditsOf(address[] memory accounts) internal view returns (uint256 total) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            total += registry.credits(accounts[i]);
        }
    }
}

contract DataNetRegistry_Constructor_Test is DataNetRegistry_TestInit {
    function test_constructor_defaults_succeeds() external view {
        assertEq(registry.owner(), governance);
        assertEq(registry.treasury(), treasury);
        assertEq(registry.unbondDelay(), 7 days);
        assertEq(registry.minStake(), 1 ether);
        assertEq(registry.datanetCount(), 0);
        assertEq(registry.contributionCount(), 0);
        assertEq(registry.version(), "1.0.0-beta.1");
        assertEq(registry.MAX_VALIDATORS(), 100);
    }

    function test_constructor_emits_succeeds() external {
        vm.expectEmit(true, true, false, false);
        emit DataNetRegistry.TreasuryUpdated(address(0), treasury);
        vm.expectEmit(false, false, false, true);
        emit DataNetRegistry.UnbondDelayUpdated(0, 7 days);
        vm.expectEmit(false, false, false, true);
        emit DataNetRegistry.MinStakeUpdated(0, 1 ether);
        new DataNetRegistry(governance, treasury);
    }

    function test_constructor_zeroTreasury_reverts() external {
        vm.expectRevert(DataNetRegistry.ZeroAddress.selector);
        new DataNetRegistry(governance, address(0));
    }

    function test_constructor_zeroGovernance_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new DataNetRegistry(address(0), treasury);
    }
}

contract DataNetRegistry_Governance_Test is DataNetRegistry_TestInit {
    function test_setTreasury_succeeds() external {
        address next = makeAddr("next");
        vm.expectEmit(true, true, false, false, address(registry));
        emit DataNetRegistry.TreasuryUpdated(treasury, next);
        vm.prank(governance);
        registry.setTreasury(next);
        assertEq(registry.treasury(), next);
    }

    function test_setTreasury_zero_reverts() external {
        vm.prank(governance);
        vm.expectRevert(DataNetRegistry.ZeroAddress.selector);
        registry.setTreasury(address(0));
    }

    function test_setTreasury_notOwner_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        registry.setTreasury(address(1));
    }

    function test_setUnbondDelay_bounds_succeeds() external {
        vm.startPrank(governance);
        vm.expectEmit(false, false, false, true, address(registry));
        emit DataNetRegistry.UnbondDelayUpdated(7 days, 1 hours);
        registry.setUnbondDelay(1 hours);
        assertEq(registry.unbondDelay(), 1 hours);
        registry.setUnbondDelay(30 days);
        assertEq(registry.unbondDelay(), 30 days);
        vm.stopPrank();
    }

    function test_setUnbondDelay_tooShort_reverts() external {
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InvalidUnbondDelay.selector, 1 hours - 1));
        registry.setUnbondDelay(1 hours - 1);
    }

    function test_setUnbondDelay_tooLong_reverts() external {
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InvalidUnbondDelay.selector, 30 days + 1));
        registry.setUnbondDelay(30 days + 1);
    }

    function test_setUnbondDelay_notOwner_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        registry.setUnbondDelay(1 days);
    }

    function test_setMinStake_succeeds() external {
        vm.expectEmit(false, false, false, true, address(registry));
        emit DataNetRegistry.MinStakeUpdated(1 ether, 5 ether);
        vm.prank(governance);
        registry.setMinStake(5 ether);
        assertEq(registry.minStake(), 5 ether);
    }

    function test_setMinStake_zero_reverts() external {
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InvalidMinStake.selector, 0));
        registry.setMinStake(0);
    }

    function test_setMinStake_tooHigh_reverts() external {
        uint256 tooHigh = registry.MAX_MIN_STAKE() + 1;
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InvalidMinStake.selector, tooHigh));
        registry.setMinStake(tooHigh);
    }

    function test_setMinStake_notOwner_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        registry.setMinStake(2 ether);
    }

    function test_transferOwnership_twoStep_succeeds() external {
        address next = makeAddr("nextGov");
        vm.prank(governance);
        registry.transferOwnership(next);
        assertEq(registry.owner(), governance);
        assertEq(registry.pendingOwner(), next);
        vm.prank(next);
        registry.acceptOwnership();
        assertEq(registry.owner(), next);
    }
}

contract DataNetRegistry_CreateDataNet_Test is DataNetRegistry_TestInit {
    function test_createDataNet_succeeds() external {
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.DataNetCreated(1, dnOwner, "medical", "ipfs://medical", DEPOSIT, QUORUM);
        uint256 id = _createDataNet();
        assertEq(id, 1);
        assertEq(registry.datanetCount(), 1);
        assertTrue(registry.datanetExists(1));
        assertFalse(registry.datanetExists(2));
        DataNetRegistry.DataNet memory d = registry.datanet(1);
        assertEq(d.owner, dnOwner);
        assertEq(uint256(d.quorumBps), QUORUM);
        assertEq(d.contributionDeposit, DEPOSIT);
        assertEq(d.name, "medical");
        assertEq(d.metadataURI, "ipfs://medical");
        assertEq(d.totalStake, 0);
        assertEq(uint256(d.validatorCount), 0);
        assertEq(_createDataNet(), 2);
    }

    function test_createDataNet_fullQuorum_succeeds() external {
        uint256 id = _createDataNet(0, 10_000);
        assertEq(uint256(registry.datanet(id).quorumBps), 10_000);
    }

    function test_createDataNet_emptyName_reverts() external {
        vm.expectRevert(DataNetRegistry.EmptyName.selector);
        registry.createDataNet("", "", 0, 5000);
    }

    function test_createDataNet_zeroQuorum_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InvalidQuorum.selector, 0));
        registry.createDataNet("x", "", 0, 0);
    }

    function test_createDataNet_quorumAboveOne_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InvalidQuorum.selector, 10_001));
        registry.createDataNet("x", "", 0, 10_001);
    }

    function test_datanet_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 1));
        registry.datanet(1);
    }
}

contract DataNetRegistry_UpdateDataNet_Test is DataNetRegistry_TestInit {
    function test_updateDataNet_succeeds() external {
        uint256 id = _createDataNet();
        vm.expectEmit(true, false, false, true, address(registry));
        emit DataNetRegistry.DataNetUpdated(id, "ipfs://v2", 1 ether);
        vm.prank(dnOwner);
        registry.updateDataNet(id, "ipfs://v2", 1 ether);
        DataNetRegistry.DataNet memory d = registry.datanet(id);
        assertEq(d.metadataURI, "ipfs://v2");
        assertEq(d.contributionDeposit, 1 ether);
    }

    function test_updateDataNet_depositAppliesToLaterSubmissions_succeeds() external {
        uint256 id = _dataNetWithValidators();
        uint256 c1 = _submit(id, contributors[0]);
        vm.prank(dnOwner);
        registry.updateDataNet(id, "", 1 ether);
        _vote(c1, v3, true);
        assertEq(registry.credits(contributors[0]), DEPOSIT, "old deposit returned");
    }

    function test_updateDataNet_notOwner_reverts() external {
        uint256 id = _createDataNet();
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.NotDataNetOwner.selector, id, address(this)));
        registry.updateDataNet(id, "", 0);
    }

    function test_updateDataNet_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 9));
        registry.updateDataNet(9, "", 0);
    }
}

contract DataNetRegistry_Stake_Test is DataNetRegistry_TestInit {
    function test_stake_join_succeeds() external {
        uint256 id = _createDataNet();
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.Staked(id, v1, 5 ether, 5 ether);
        vm.prank(v1);
        registry.stake{value: 5 ether}(id);
        assertEq(registry.validator(id, v1).stake, 5 ether);
        assertEq(registry.datanet(id).totalStake, 5 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), 1);
        assertEq(address(registry).balance, 5 ether);
    }

    function test_stake_topUp_succeeds() external {
        uint256 id = _createDataNet();
        _stake(id, v1, 5 ether);
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.Staked(id, v1, 0.5 ether, 5.5 ether);
        _stake(id, v1, 0.5 ether); // top-ups below minStake are fine once above it
        assertEq(registry.validator(id, v1).stake, 5.5 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), 1);
    }

    function test_stake_settlesPendingRewards_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        registry.distributeValidatorReward{value: 3 ether}(id);
        assertEq(registry.pendingRewards(id, v1), 3 ether);
        _stake(id, v1, 10 ether);
        assertEq(registry.credits(v1), 3 ether, "settled into credits");
        assertEq(registry.pendingRewards(id, v1), 0);
        registry.distributeValidatorReward{value: 1 ether}(id);
        assertEq(registry.pendingRewards(id, v1), 1 ether);
    }

    function test_stake_zero_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(v1);
        vm.expectRevert(DataNetRegistry.ZeroAmount.selector);
        registry.stake(id);
    }

    function test_stake_notFound_reverts() external {
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 3));
        registry.stake{value: 1 ether}(3);
    }

    function test_stake_belowMinimum_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.StakeBelowMinimum.selector, 0.5 ether, 1 ether));
        registry.stake{value: 0.5 ether}(id);
    }

    function test_stake_validatorSetFull_reverts() external {
        uint256 id = _createDataNet();
        uint256 max = registry.MAX_VALIDATORS();
        for (uint256 i = 0; i < max; ++i) {
            _stake(id, _addr(0x10000 + i), 1 ether);
        }
        assertEq(uint256(registry.datanet(id).validatorCount), max);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.ValidatorSetFull.selector, id));
        registry.stake{value: 1 ether}(id);
        // A slot frees when a validator leaves.
        _requestUnbond(id, _addr(0x10000), 1 ether);
        _stake(id, v1, 1 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), max);
    }
}

contract DataNetRegistry_Unbond_Test is DataNetRegistry_TestInit {
    function test_requestUnbond_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.UnbondRequested(id, v1, 4 ether, block.timestamp + 7 days);
        _requestUnbond(id, v1, 4 ether);
        DataNetRegistry.Validator memory v = registry.validator(id, v1);
        assertEq(v.stake, 6 ether);
        assertEq(v.unbonding, 4 ether);
        assertEq(v.unbondReadyAt, block.timestamp + 7 days);
        assertEq(registry.datanet(id).totalStake, 6 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), 1);
    }

    function test_requestUnbond_full_leavesSet_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 10 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), 0);
        assertEq(registry.datanet(id).totalStake, 0);
    }

    function test_requestUnbond_stopsRewardsAtOnce_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _stake(id, v2, 10 ether);
        registry.distributeValidatorReward{value: 2 ether}(id);
        _requestUnbond(id, v1, 10 ether);
        assertEq(registry.credits(v1), 1 ether, "earned share settled");
        registry.distributeValidatorReward{value: 2 ether}(id);
        assertEq(registry.pendingRewards(id, v1), 0, "unbonding earns nothing");
        assertEq(registry.pendingRewards(id, v2), 3 ether);
    }

    function test_requestUnbond_stopsVotingAtOnce_succeeds() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        _requestUnbond(id, v1, 10 ether);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.NotValidator.selector, id, v1));
        registry.vote(c, true);
    }

    function test_requestUnbond_zero_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(v1);
        vm.expectRevert(DataNetRegistry.ZeroAmount.selector);
        registry.requestUnbond(id, 0);
    }

    function test_requestUnbond_moreThanStake_reverts() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.InsufficientStake.selector, 10 ether, 11 ether));
        registry.requestUnbond(id, 11 ether);
    }

    function test_requestUnbond_leavesDust_reverts() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.StakeBelowMinimum.selector, 0.5 ether, 1 ether));
        registry.requestUnbond(id, 9.5 ether);
    }

    function test_requestUnbond_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 1));
        registry.requestUnbond(1, 1);
    }

    function test_withdrawUnbonded_afterDelay_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 4 ether);
        vm.warp(block.timestamp + 7 days);
        uint256 before = v1.balance;
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.UnbondedWithdrawn(id, v1, 4 ether);
        vm.prank(v1);
        registry.withdrawUnbonded(id);
        assertEq(v1.balance, before + 4 ether);
        assertEq(registry.validator(id, v1).unbonding, 0);
        assertEq(registry.validator(id, v1).unbondReadyAt, 0);
        assertEq(address(registry).balance, 6 ether);
    }

    function test_withdrawUnbonded_beforeDelay_reverts() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 4 ether);
        uint256 readyAt = block.timestamp + 7 days;
        vm.warp(readyAt - 1);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.UnbondNotReady.selector, readyAt));
        registry.withdrawUnbonded(id);
    }

    function test_withdrawUnbonded_secondRequestRestartsDelay_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 2 ether);
        vm.warp(block.timestamp + 6 days);
        _requestUnbond(id, v1, 2 ether);
        uint256 readyAt = block.timestamp + 7 days;
        vm.warp(block.timestamp + 1 days);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.UnbondNotReady.selector, readyAt));
        registry.withdrawUnbonded(id);
        vm.warp(readyAt);
        vm.prank(v1);
        registry.withdrawUnbonded(id);
        assertEq(registry.validator(id, v1).unbonding, 0);
    }

    function test_withdrawUnbonded_delayFixedAtRequest_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 2 ether);
        vm.prank(governance);
        registry.setUnbondDelay(30 days);
        vm.warp(block.timestamp + 7 days);
        vm.prank(v1);
        registry.withdrawUnbonded(id);
    }

    function test_withdrawUnbonded_nothing_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(v1);
        vm.expectRevert(DataNetRegistry.NothingToWithdraw.selector);
        registry.withdrawUnbonded(id);
    }

    function test_withdrawUnbonded_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 1));
        registry.withdrawUnbonded(1);
    }

    function test_withdrawUnbonded_rejectingRecipient_reverts() external {
        uint256 id = _createDataNet();
        OpenRejecter r = new OpenRejecter();
        vm.deal(address(this), 10 ether);
        r.exec{value: 2 ether}(address(registry), abi.encodeCall(DataNetRegistry.stake, (id)));
        r.exec(address(registry), abi.encodeCall(DataNetRegistry.requestUnbond, (id, 2 ether)));
        vm.warp(block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.TransferFailed.selector, address(r), 2 ether));
        r.exec(address(registry), abi.encodeCall(DataNetRegistry.withdrawUnbonded, (id)));
    }
}

contract DataNetRegistry_Slash_Test is DataNetRegistry_TestInit {
    function test_slash_fromStake_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.Slashed(id, v1, 3 ether, 0, "double vote");
        vm.expectEmit(true, true, true, true, address(registry));
        emit DataNetRegistry.Credited(treasury, DataNetRegistry.CreditKind.Slash, id, 3 ether);
        vm.prank(governance);
        registry.slash(id, v1, 3 ether, "double vote");
        assertEq(registry.validator(id, v1).stake, 7 ether);
        assertEq(registry.datanet(id).totalStake, 7 ether);
        assertEq(registry.credits(treasury), 3 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), 1);
    }

    function test_slash_stakeThenUnbonding_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 6 ether);
        vm.prank(governance);
        registry.slash(id, v1, 5 ether, "spam");
        DataNetRegistry.Validator memory v = registry.validator(id, v1);
        assertEq(v.stake, 0);
        assertEq(v.unbonding, 5 ether);
        assertEq(uint256(registry.datanet(id).validatorCount), 0);
        assertEq(registry.credits(treasury), 5 ether);
    }

    function test_slash_everything_clearsUnbonding_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        _requestUnbond(id, v1, 10 ether);
        vm.prank(governance);
        registry.slash(id, v1, 10 ether, "spam");
        DataNetRegistry.Validator memory v = registry.validator(id, v1);
        assertEq(v.unbonding, 0);
        assertEq(v.unbondReadyAt, 0);
        vm.prank(v1);
        vm.expectRevert(DataNetRegistry.NothingToWithdraw.selector);
        registry.withdrawUnbonded(id);
    }

    function test_slash_settlesRewardsFirst_succeeds() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        registry.distributeValidatorReward{value: 1 ether}(id);
        vm.prank(governance);
        registry.slash(id, v1, 10 ether, "x");
        assertEq(registry.credits(v1), 1 ether, "earned rewards kept");
        assertEq(registry.pendingRewards(id, v1), 0);
    }

    function test_slash_exceedsStake_reverts() external {
        uint256 id = _dataNetStakedBy(v1, 10 ether);
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.SlashExceedsStake.selector, 10 ether, 11 ether));
        registry.slash(id, v1, 11 ether, "x");
    }

    function test_slash_zero_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(governance);
        vm.expectRevert(DataNetRegistry.ZeroAmount.selector);
        registry.slash(id, v1, 0, "x");
    }

    function test_slash_notOwner_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(dnOwner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, dnOwner));
        registry.slash(id, v1, 1, "x");
    }

    function test_slash_notFound_reverts() external {
        vm.prank(governance);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 4));
        registry.slash(4, v1, 1, "x");
    }
}

contract DataNetRegistry_Submit_Test is DataNetRegistry_TestInit {
    /// @dev Another contributor submits content `h` to `datanetId`: refused as a duplicate of `existing`.
    function _assertDuplicateRefused(uint256 datanetId, bytes32 h, uint256 existing) internal {
        vm.prank(contributors[1]);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DuplicateContent.selector, h, existing));
        registry.submitContribution{value: DEPOSIT}(datanetId, h, 1, "", "");
    }

    function test_submitContribution_succeeds() external {
        uint256 id = _createDataNet();
        bytes32 h = keccak256("hello");
        address c = contributors[0];
        vm.expectEmit(true, true, true, true, address(registry));
        emit DataNetRegistry.ContributionSubmitted(1, id, c, h, 5, DEPOSIT, "ipfs://x", "MIT");
        vm.prank(c);
        uint256 cid = registry.submitContribution{value: DEPOSIT}(id, h, 5, "ipfs://x", "MIT");
        assertEq(cid, 1);
        assertEq(registry.contributionCount(), 1);
        assertEq(registry.contributionByHash(h), 1);
        DataNetRegistry.Contribution memory k = registry.contribution(1);
        assertEq(uint256(k.datanetId), id);
        assertEq(k.contributor, c);
        assertEq(k.contentHash, h);
        assertEq(k.size, 5);
        assertEq(uint256(k.status), uint256(DataNetRegistry.ContributionStatus.Pending));
        assertEq(k.uri, "ipfs://x");
        assertEq(k.license, "MIT");
        assertEq(k.deposit, DEPOSIT);
        assertEq(k.submittedAt, block.timestamp);
        assertEq(registry.datanet(id).contributionCount, 1);
        assertEq(address(registry).balance, DEPOSIT);
        assertFalse(registry.isAccepted(1));
    }

    function test_submitContribution_idsAreGlobal_succeeds() external {
        uint256 a = _createDataNet();
        uint256 b = _createDataNet();
        assertEq(_submit(a, contributors[0]), 1);
        assertEq(_submit(b, contributors[0]), 2);
        assertEq(_submit(a, contributors[1]), 3);
    }

    function test_submitContribution_zeroDeposit_succeeds() external {
        uint256 id = _createDataNet(0, QUORUM);
        vm.prank(contributors[0]);
        registry.submitContribution(id, keccak256("x"), 1, "", "");
    }

    function test_submitContribution_duplicateSameDataNet_reverts() external {
        uint256 id = _createDataNet();
        bytes32 h = keccak256("dup");
        _submit(id, contributors[0], h);
        _assertDuplicateRefused(id, h, 1);
    }

    function test_submitContribution_duplicateOtherDataNet_reverts() external {
        uint256 a = _createDataNet();
        uint256 b = _createDataNet();
        bytes32 h = keccak256("dup");
        _submit(a, contributors[0], h);
        _assertDuplicateRefused(b, h, 1);
    }

    function test_submitContribution_duplicateOfAccepted_reverts() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _accepted(id, contributors[0]);
        bytes32 h = registry.contribution(c).contentHash;
        _assertDuplicateRefused(id, h, c);
    }

    function test_submitContribution_afterRejection_succeeds() external {
        uint256 id = _dataNetWithValidators();
        bytes32 h = keccak256("spam");
        uint256 c = _submit(id, contributors[0], h);
        _vote(c, v3, false);
        assertEq(registry.contributionByHash(h), 0, "freed");
        assertEq(_submit(id, contributors[1], h), c + 1);
        assertEq(registry.contributionByHash(h), c + 1);
    }

    function test_submitContribution_wrongDeposit_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(contributors[0]);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.IncorrectDeposit.selector, DEPOSIT, DEPOSIT + 1));
        registry.submitContribution{value: DEPOSIT + 1}(id, keccak256("x"), 1, "", "");
        vm.prank(contributors[0]);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.IncorrectDeposit.selector, DEPOSIT, 0));
        registry.submitContribution(id, keccak256("x"), 1, "", "");
    }

    function test_submitContribution_zeroHash_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(contributors[0]);
        vm.expectRevert(DataNetRegistry.ZeroContentHash.selector);
        registry.submitContribution{value: DEPOSIT}(id, bytes32(0), 1, "", "");
    }

    function test_submitContribution_zeroSize_reverts() external {
        uint256 id = _createDataNet();
        vm.prank(contributors[0]);
        vm.expectRevert(DataNetRegistry.ZeroSize.selector);
        registry.submitContribution{value: DEPOSIT}(id, keccak256("x"), 0, "", "");
    }

    function test_submitContribution_notFound_reverts() external {
        vm.prank(contributors[0]);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 1));
        registry.submitContribution(1, keccak256("x"), 1, "", "");
    }

    function test_contribution_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.ContributionNotFound.selector, 1));
        registry.contribution(1);
    }
}

contract DataNetRegistry_Vote_Test is DataNetRegistry_TestInit {
    function test_vote_acceptQuorum_returnsDeposit_succeeds() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        _vote(c, v1, true);
        assertFalse(registry.isAccepted(c), "10/60 < 50%");
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.Voted(c, v2, true, 20 ether);
        vm.expectEmit(true, false, false, true, address(registry));
        emit DataNetRegistry.ContributionAccepted(c, 30 ether, 0);
        vm.expectEmit(true, true, true, true, address(registry));
        emit DataNetRegistry.Credited(contributors[0], DataNetRegistry.CreditKind.DepositReturned, c, DEPOSIT);
        _vote(c, v2, true);
        assertTrue(registry.isAccepted(c));
        assertEq(registry.credits(contributors[0]), DEPOSIT);
        assertEq(registry.datanet(id).acceptedCount, 1);
        DataNetRegistry.Contribution memory k = registry.contribution(c);
        assertEq(k.acceptStake, 30 ether);
        assertEq(uint256(registry.voteOf(c, v1).choice), uint256(DataNetRegistry.VoteChoice.Accept));
        assertEq(registry.voteOf(c, v2).weight, 20 ether);
        assertEq(uint256(registry.voteOf(c, v3).choice), uint256(DataNetRegistry.VoteChoice.None));
    }

    function test_vote_rejectQuorum_splitsDeposit_succeeds() external {
        // Stakes 10/20/30, deposit 0.1 OPEN, reject by v1 (10) and v2 (20) = 30/60 = quorum.
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        bytes32 h = registry.contribution(c).contentHash;
        _vote(c, v1, false);
        vm.expectEmit(true, false, false, true, address(registry));
        emit DataNetRegistry.ContributionRejected(c, 0, 30 ether);
        _vote(c, v2, false);
        DataNetRegistry.Contribution memory k = registry.contribution(c);
        assertEq(uint256(k.status), uint256(DataNetRegistry.ContributionStatus.Rejected));
        uint256 s1 = DEPOSIT * 10 / 30;
        uint256 s2 = DEPOSIT * 20 / 30;
        assertEq(registry.credits(v1), s1);
        assertEq(registry.credits(v2), s2);
        assertEq(registry.credits(treasury), DEPOSIT - s1 - s2, "dust");
        assertGt(DEPOSIT - s1 - s2, 0, "this split has dust");
        assertEq(registry.credits(contributors[0]), 0);
        assertEq(registry.contributionByHash(h), 0);
        address[] memory voters = registry.rejectVoters(c);
        assertEq(voters.length, 2);
        assertEq(voters[0], v1);
    }

    function test_vote_rejectZeroDeposit_succeeds() external {
        uint256 id = _createDataNet(0, QUORUM);
        _stake(id, v1, 10 ether);
        uint256 c = _submit(id, contributors[0]);
        _vote(c, v1, false);
        assertEq(registry.credits(v1), 0);
        assertEq(registry.credits(treasury), 0);
    }

    function test_vote_weightAtVoteTime_succeeds() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        _vote(c, v1, true);
        _stake(id, v1, 100 ether);
        assertEq(registry.voteOf(c, v1).weight, 10 ether);
        assertEq(registry.contribution(c).acceptStake, 10 ether);
    }

    function test_vote_quorumOfLiveStake_succeeds() external {
        // v3 (30 of 60) rejects; v3 alone reaches 50% only with the live total.
        uint256 id = _dataNetWithValidators();
        _stake(id, makeAddr("whale"), 100 ether); // total 160: 30 is no longer a quorum
        uint256 c = _submit(id, contributors[0]);
        _vote(c, v3, true);
        assertFalse(registry.isAccepted(c));
    }

    function test_vote_notValidator_reverts() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        vm.prank(dnOwner);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.NotValidator.selector, id, dnOwner));
        registry.vote(c, true);
    }

    function test_vote_validatorOfOtherDataNet_reverts() external {
        uint256 a = _dataNetWithValidators();
        uint256 b = _createDataNet();
        uint256 c = _submit(b, contributors[0]);
        a;
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.NotValidator.selector, b, v1));
        registry.vote(c, true);
    }

    function test_vote_twice_reverts() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        _vote(c, v1, true);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.AlreadyVoted.selector, c, v1));
        registry.vote(c, false);
    }

    function test_vote_decided_reverts() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _accepted(id, contributors[0]);
        vm.prank(v1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DataNetRegistry.ContributionNotPending.selector, c, DataNetRegistry.ContributionStatus.Accepted
            )
        );
        registry.vote(c, false);
    }

    function test_vote_notFound_reverts() external {
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.ContributionNotFound.selector, 7));
        registry.vote(7, true);
    }

    function test_vote_tooManyRejectVoters_reverts() external {
        // Quorum 100% and a whale that never votes: reject voters churn (vote, then leave) up to the cap.
        uint256 id = _createDataNet(DEPOSIT, 10_000);
        _stake(id, makeAddr("whale"), 1_000_000 ether);
        uint256 c = _submit(id, contributors[0]);
        uint256 max = registry.MAX_VALIDATORS();
        for (uint256 i = 0; i <= max; ++i) {
            address voter = _addr(0x20000 + i);
            _stake(id, voter, 1 ether);
            vm.prank(voter);
            if (i == max) vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.TooManyRejectVoters.selector, c));
            registry.vote(c, false);
            _requestUnbond(id, voter, 1 ether);
        }
        assertEq(registry.rejectVoters(c).length, max);
    }

    function test_vote_rejectPayoutBounded_succeeds() external {
        // The worst rejection pays MAX_VALIDATORS voters; it must fit well inside a block.
        uint256 id = _createDataNet(1 ether, 10_000);
        uint256 max = registry.MAX_VALIDATORS();
        for (uint256 i = 0; i < max; ++i) {
            _stake(id, _addr(0x30000 + i), 1 ether);
        }
        uint256 c = _submit(id, contributors[0]);
        for (uint256 i = 0; i < max - 1; ++i) {
            _vote(c, _addr(0x30000 + i), false);
        }
        vm.prank(_addr(0x30000 + max - 1));
        uint256 g = gasleft();
        registry.vote(c, false);
        g -= gasleft();
        console.log("vote: rejection paying 100 voters, gas", g);
        assertLe(g, 5_000_000);
        assertEq(registry.credits(_addr(0x30000)), 0.01 ether);
    }
}

contract DataNetRegistry_Finalize_Test is DataNetRegistry_TestInit {
    function test_finalize_afterStakeLeft_succeeds() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _submit(id, contributors[0]);
        _vote(c, v1, true);
        _requestUnbond(id, v3, 30 ether); // total 30: v1's 10 is still short of 15
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.QuorumNotReached.selector, c, 10 ether, 0, 30 ether));
        registry.finalize(c);
        _requestUnbond(id, v2, 15 ether); // total 15: 10 >= 7.5
        registry.finalize(c);
        assertTrue(registry.isAccepted(c));
    }

    function test_finalize_noStake_reverts() external {
        uint256 id = _createDataNet();
        uint256 c = _submit(id, contributors[0]);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.QuorumNotReached.selector, c, 0, 0, 0));
        registry.finalize(c);
    }

    function test_finalize_decided_reverts() external {
        uint256 id = _dataNetWithValidators();
        uint256 c = _accepted(id, contributors[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                DataNetRegistry.ContributionNotPending.selector, c, DataNetRegistry.ContributionStatus.Accepted
            )
        );
        registry.finalize(c);
    }

    function test_finalize_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.ContributionNotFound.selector, 1));
        registry.finalize(1);
    }
}

contract DataNetRegistry_Rewards_Test is DataNetRegistry_TestInit {
    function test_distributeValidatorReward_proRata_succeeds() external {
        uint256 id = _dataNetWithValidators();
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.ValidatorRewardReceived(id, address(this), 6 ether, false);
        registry.distributeValidatorReward{value: 6 ether}(id);
        assertEq(registry.pendingRewards(id, v1), 1 ether);
        assertEq(registry.pendingRewards(id, v2), 2 ether);
        assertEq(registry.pendingRewards(id, v3), 3 ether);
        assertEq(registry.datanet(id).rewardBalance, 6 ether);
    }

    function test_distributeValidatorReward_noStake_toTreasury_succeeds() external {
        uint256 id = _createDataNet();
        vm.expectEmit(true, true, false, true, address(registry));
        emit DataNetRegistry.ValidatorRewardReceived(id, address(this), 1 ether, true);
        vm.expectEmit(true, true, true, true, address(registry));
        emit DataNetRegistry.Credited(treasury, DataNetRegistry.CreditKind.UnstakedReward, id, 1 ether);
        registry.distributeValidatorReward{value: 1 ether}(id);
        assertEq(registry.credits(treasury), 1 ether);
        assertEq(registry.datanet(id).rewardBalance, 0);
    }

    function test_distributeValidatorReward_remainderCarried_succeeds() external {
        // Three equal stakes and 10 wei: 3 wei each now, the 10th wei is carried, not lost.
        uint256 id = _createDataNet();
        _stake(id, v1, 1 ether);
        _stake(id, v2, 1 ether);
        _stake(id, v3, 1 ether);
        registry.distributeValidatorReward{value: 10}(id);
        assertEq(registry.pendingRewards(id, v1), 3);
        assertEq(registry.datanet(id).rewardBalance, 10);
        registry.distributeValidatorReward{value: 2}(id);
        assertEq(registry.pendingRewards(id, v1), 4, "12 wei / 3");
        assertEq(registry.pendingRewards(id, v3), 4);
    }

    function test_distributeValidatorReward_zero_reverts() external {
        uint256 id = _createDataNet();
        vm.expectRevert(DataNetRegistry.ZeroAmount.selector);
        registry.distributeValidatorReward(id);
    }

    function test_distributeValidatorReward_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 1));
        registry.distributeValidatorReward{value: 1}(1);
    }

    function test_claimRewards_settlesAndPays_succeeds() external {
        uint256 a = _dataNetWithValidators();
        uint256 b = _createDataNet();
        _stake(b, v1, 5 ether);
        registry.distributeValidatorReward{value: 6 ether}(a);
        registry.distributeValidatorReward{value: 1 ether}(b);
        uint256 before = v1.balance;
        vm.expectEmit(true, false, false, true, address(registry));
        emit DataNetRegistry.Claimed(v1, 2 ether);
        vm.prank(v1);
        registry.claimRewards(_two(a, b));
        assertEq(v1.balance, before + 2 ether);
        assertEq(registry.pendingRewards(a, v1), 0);
        assertEq(registry.credits(v1), 0);
        assertEq(registry.datanet(a).rewardBalance, 5 ether);
    }

    function test_claimRewards_nothing_reverts() external {
        uint256 id = _dataNetWithValidators();
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.NothingToClaim.selector, v1));
        registry.claimRewards(_one(id));
    }

    function test_claimRewards_notFound_reverts() external {
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.DataNetNotFound.selector, 5));
        registry.claimRewards(_one(5));
    }

    function test_claim_succeeds() external {
        uint256 id = _dataNetWithValidators();
        _accepted(id, contributors[0]);
        uint256 before = contributors[0].balance;
        vm.prank(contributors[0]);
        registry.claim();
        assertEq(contributors[0].balance, before + DEPOSIT);
        assertEq(registry.credits(contributors[0]), 0);
    }

    function test_claim_nothing_reverts() external {
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.NothingToClaim.selector, v1));
        registry.claim();
    }

    function test_claim_rejectingRecipient_reverts() external {
        uint256 id = _createDataNet();
        OpenRejecter r = new OpenRejecter();
        vm.deal(address(this), 10 ether);
        r.exec{value: 2 ether}(address(registry), abi.encodeCall(DataNetRegistry.stake, (id)));
        registry.distributeValidatorReward{value: 1 ether}(id);
        vm.expectRevert(abi.encodeWithSelector(DataNetRegistry.TransferFailed.selector, address(r), 1 ether));
        r.exec(address(registry), abi.encodeCall(DataNetRegistry.claimRewards, (_one(id))));
    }

    function test_acceptedContributors_zeroUnlessAccepted_succeeds() external {
        uint256 id = _dataNetWithValidators();
        uint256 accepted = _accepted(id, contributors[0]);
        uint256 pending = _submit(id, contributors[1]);
        uint256[] memory ids = new uint256[](3);
        ids[0] = accepted;
        ids[1] = pending;
        ids[2] = 999;
        (address[] memory who, uint256[] memory dns) = registry.acceptedContributors(ids);
        assertEq(who[0], contributors[0]);
        assertEq(dns[0], id);
        assertEq(who[1], address(0));
        assertEq(dns[1], 0);
        assertEq(who[2], address(0));
    }

    /// @dev Reward accounting is exact: rewardBalance × SCALE == Σ unsettled scaled rewards + remainder, and the
    ///      validators' pending rewards never exceed rewardBalance.
    function testFuzz_rewards_exactAccounting_succeeds(uint256[6] memory stakes, uint256[6] memory rewards) external {
        uint256 id = _createDataNet();
        address[3] memory vs = [v1, v2, v3];
        for (uint256 round = 0; round < 6; ++round) {
            address v = vs[round % 3];
            uint256 amount = bound(stakes[round], 1 ether, 1_000_000 ether);
            if (round == 4 && registry.validator(id, v).stake != 0) {
                uint256 s = registry.validator(id, v).stake;
                _requestUnbond(id, v, s);
            } else {
                _stake(id, v, amount);
            }
            uint256 reward = bound(rewards[round], 1, 1_000 ether);
            vm.deal(address(this), reward);
            registry.distributeValidatorReward{value: reward}(id);
        }
        DataNetRegistry.DataNet memory d = registry.datanet(id);
        uint256 unsettledScaled;
        uint256 pending;
        for (uint256 i = 0; i < 3; ++i) {
            DataNetRegistry.Validator memory v = registry.validator(id, vs[i]);
            unsettledScaled += v.stake * d.accRewardPerStake - v.rewardDebt + v.rewardCarry;
            pending += registry.pendingRewards(id, vs[i]);
        }
        assertEq(d.rewardBalance * 1e18, unsettledScaled + d.rewardRemainder, "scaled conservation");
        assertLe(pending, d.rewardBalance, "solvent");
        // Below one wei per validator, plus the carried remainder (paid out with the next reward).
        assertLe(d.rewardBalance - pending, 3 + d.rewardRemainder / 1e18 + 1, "dust");
        address[] memory actors = new address[](4);
        actors[0] = v1;
        actors[1] = v2;
        actors[2] = v3;
        actors[3] = treasury;
        uint256 staked;
        for (uint256 i = 0; i < 3; ++i) {
            DataNetRegistry.Validator memory v = registry.validator(id, vs[i]);
            staked += v.stake + v.unbonding;
        }
        assertEq(address(registry).balance, staked + d.rewardBalance + _creditsOf(actors), "balance");
    }

    /// @dev A rejected deposit is split exactly: shares + dust == deposit, dust < number of voters.
    function testFuzz_vote_rejectSplitExact_succeeds(uint256 deposit, uint256[3] memory stakes) external {
        deposit = bound(deposit, 0, 1_000 ether);
        uint256 id = _createDataNet(deposit, 10_000);
        address[3] memory vs = [v1, v2, v3];
        for (uint256 i = 0; i < 3; ++i) {
            _stake(id, vs[i], bound(stakes[i], 1 ether, 1_000_000 ether));
        }
        uint256 c = _submit(id, contributors[0]);
        for (uint256 i = 0; i < 3; ++i) {
            _vote(c, vs[i], false);
        }
        uint256 shares = registry.credits(v1) + registry.credits(v2) + registry.credits(v3);
        assertEq(shares + registry.credits(treasury), deposit);
        assertLe(registry.credits(treasury), 2);
    }
}
