// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AttributionCommonTest, MockWallet, OpenRejecter, console} from "./AttributionCommon.t.sol";
import {DataNetRegistry} from "../../src/L2/DataNetRegistry.sol";
import {ModelRegistry} from "../../src/L2/ModelRegistry.sol";
import {AttributionSettlement} from "../../src/L2/AttributionSettlement.sol";
import {AttributionFixtures} from "../setup/AttributionFixtures.sol";

/// @notice Two DataNets: A with validators v1/v2/v3 (10/20/30 OPEN) and B without stake; a model linked to both,
///         with `provider` authorised; 8 Accepted contributions in A (one per contributor), 2 in B, one Pending
///         in A and one Accepted in an unlinked DataNet C; the user prepaid 100 OPEN.
contract AttributionSettlement_TestInit is AttributionCommonTest {
    address internal constant PREDEPLOY = 0x4200000000000000000000000000000000000102;

    uint256 internal dnA;
    uint256 internal dnB;
    uint256 internal dnC;
    uint256 internal modelId;
    uint256[] internal inA;
    uint256[] internal inB;
    uint256 internal pendingId;
    uint256 internal unlinkedId;
    uint256 internal requestCounter;

    function setUp() public virtual override {
        super.setUp();
        dnA = _dataNetWithValidators();
        dnB = _createDataNet();
        dnC = _dataNetWithValidators();
        for (uint256 i = 0; i < 8; ++i) {
            inA.push(_accepted(dnA, contributors[i]));
        }
        // B has no stake: accept through a temporary validator that leaves again.
        address temp = makeAddr("temp");
        _stake(dnB, temp, 1 ether);
        for (uint256 i = 0; i < 2; ++i) {
            uint256 id = _submit(dnB, contributors[i]);
            _vote(id, temp, true);
            inB.push(id);
        }
        _requestUnbond(dnB, temp, 1 ether);
        pendingId = _submit(dnA, contributors[0]);
        unlinkedId = _accepted(dnC, contributors[0]);
        modelId = _registerModel(_two(dnA, dnB), FEE);
        vm.prank(user);
        settlement.deposit{value: 100 ether}();
    }

    function _nextRequest() internal returns (bytes32) {
        return keccak256(abi.encode("request", ++requestCounter));
    }

    /// @dev The first `n` contributions of A with equal-ish weights.
    function _eightOfA(uint256 n) internal returns (AttributionSettlement.Settlement memory) {
        uint256[] memory ids = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            ids[i] = inA[i];
        }
        return _settlement(modelId, _nextRequest(), ids, _equalWeights(n));
    }

    function _settle(AttributionSettlement.Settlement memory s) internal returns (uint256) {
        vm.prank(provider);
        return settlement.settle{value: FEE}(s);
    }

    function _settleExpect(AttributionSettlement.Settlement memory s, bytes memory err) internal {
        vm.prank(provider);
        vm.expectRevert(err);
        settlement.settle{value: FEE}(s);
    }

    /// @dev The user's request for `s` with `nonce`, and the user's signature of it.
    function _signed(AttributionSettlement.Settlement memory s, uint256 nonce)
        internal
        view
        returns (AttributionSettlement.UserRequest memory r, bytes memory sig)
    {
        r = _request(s.modelId, s.requestHash, FEE, nonce);
        sig = _sign(USER_PK, r);
    }

    /// @dev Logs `gasUsed` under `label` and bounds it by `limit`.
    function _checkGas(string memory label, uint256 gasUsed, uint256 limit) internal view {
        console.log(label, gasUsed);
        assertLe(gasUsed, limit);
    }

    /// @dev Gas of the provider's settle of `s`: the call alone, as the gas tests bound it.
    function _gasOfSettle(AttributionSettlement.Settlement memory s) internal returns (uint256 gasUsed) {
        vm.prank(provider);
        gasUsed = gasleft();
        settlement.settle{value: FEE}(s);
        gasUsed -= gasleft();
    }

    /// @dev Gas of the provider's settleSigned of `s`, signed by the user with `nonce`: the call alone.
    function _gasOfSettleSigned(AttributionSettlement.Settlement memory s, uint256 nonce)
        internal
        returns (uint256 gasUsed)
    {
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, nonce);
        vm.prank(provider);
        gasUsed = gasleft();
        settlement.settleSigned(s, r, sig);
        gasUsed -= gasleft();
    }
}

contract AttributionSettlement_Constructor_Test is AttributionSettlement_TestInit {
    function test_constructor_defaults_succeeds() external view {
        assertEq(settlement.owner(), governance);
        assertEq(settlement.treasury(), treasury);
        assertEq(address(settlement.datanetRegistry()), address(registry));
        assertEq(address(settlement.modelRegistry()), address(models));
        (uint256 p, uint256 v, uint256 m, uint256 c) = settlement.feeSplit();
        assertEq(p, 500);
        assertEq(v, 1_000);
        assertEq(m, 3_000);
        assertEq(c, 5_500);
        assertEq(settlement.inferenceCount(), 0);
        assertEq(settlement.version(), "1.0.0-beta.1");
        assertEq(
            settlement.INFERENCE_REQUEST_TYPEHASH(),
            keccak256(
                "InferenceRequest(uint256 modelId,bytes32 requestHash,uint256 maxFee,uint256 nonce,uint256 deadline)"
            )
        );
    }

    function test_constructor_emits_succeeds() external {
        vm.expectEmit(true, true, false, false);
        emit AttributionSettlement.TreasuryUpdated(address(0), treasury);
        vm.expectEmit(false, false, false, true);
        emit AttributionSettlement.FeeSplitUpdated(500, 1_000, 3_000, 5_500);
        new AttributionSettlement(governance, treasury, registry, models);
    }

    function test_constructor_zeroAddresses_reverts() external {
        vm.expectRevert(AttributionSettlement.ZeroAddress.selector);
        new AttributionSettlement(governance, address(0), registry, models);
        vm.expectRevert(AttributionSettlement.ZeroAddress.selector);
        new AttributionSettlement(governance, treasury, DataNetRegistry(address(0)), models);
        vm.expectRevert(AttributionSettlement.ZeroAddress.selector);
        new AttributionSettlement(governance, treasury, registry, ModelRegistry(address(0)));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new AttributionSettlement(address(0), treasury, registry, models);
    }

    function test_eip712Domain_succeeds() external view {
        (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        ) = settlement.eip712Domain();
        assertEq(uint256(uint8(fields)), 0x0f);
        assertEq(name, "Tributary Attribution");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(settlement));
        assertEq(salt, bytes32(0));
        assertEq(extensions.length, 0);
        AttributionSettlement.UserRequest memory r = _request(1, keccak256("q"), 1, 2);
        assertEq(settlement.hashInferenceRequest(r), _digest(r));
    }

    function test_domainSeparator_atPredeployAddress_succeeds() external {
        // Runtime code moved to another address (as genesis places it) computes the domain for that address.
        vm.etch(PREDEPLOY, address(settlement).code);
        bytes32 expected = _domainSeparator(block.chainid, PREDEPLOY);
        assertEq(AttributionSettlement(payable(PREDEPLOY)).domainSeparator(), expected);
        assertTrue(AttributionSettlement(payable(PREDEPLOY)).domainSeparator() != settlement.domainSeparator());
    }

    function test_domainSeparator_followsChainId_succeeds() external {
        bytes32 before = settlement.domainSeparator();
        vm.chainId(777);
        bytes32 expected = _domainSeparator(777, address(settlement));
        assertEq(settlement.domainSeparator(), expected);
        assertTrue(expected != before);
    }
}

contract AttributionSettlement_Governance_Test is AttributionSettlement_TestInit {
    /// @dev The owner's fee split (protocol, validator, model owner bps) is refused as out of bounds.
    function _assertFeeSplitRefused(uint256 protocolBps, uint256 validatorBps, uint256 ownerBps) internal {
        vm.prank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(
                AttributionSettlement.FeeSplitOutOfBounds.selector, protocolBps, validatorBps, ownerBps
            )
        );
        settlement.setFeeSplit(protocolBps, validatorBps, ownerBps);
    }

    function test_setFeeSplit_succeeds() external {
        vm.expectEmit(false, false, false, true, address(settlement));
        emit AttributionSettlement.FeeSplitUpdated(2_000, 3_000, 2_000, 3_000);
        vm.prank(governance);
        settlement.setFeeSplit(2_000, 3_000, 2_000);
        (uint256 p, uint256 v, uint256 m, uint256 c) = settlement.feeSplit();
        assertEq(p + v + m + c, 10_000);
        assertEq(c, 3_000);
    }

    function test_setFeeSplit_zeros_succeeds() external {
        vm.prank(governance);
        settlement.setFeeSplit(0, 0, 0);
        (,,, uint256 c) = settlement.feeSplit();
        assertEq(c, 10_000);
    }

    function test_setFeeSplit_protocolCap_reverts() external {
        _assertFeeSplitRefused(2_001, 0, 0);
    }

    function test_setFeeSplit_validatorCap_reverts() external {
        _assertFeeSplitRefused(0, 3_001, 0);
    }

    function test_setFeeSplit_modelOwnerCap_reverts() external {
        _assertFeeSplitRefused(0, 0, 5_001);
    }

    function test_setFeeSplit_contributorFloor_reverts() external {
        _assertFeeSplitRefused(1_000, 1_001, 5_000);
    }

    function test_setFeeSplit_notOwner_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        settlement.setFeeSplit(0, 0, 0);
    }

    function test_setTreasury_succeeds() external {
        address next = makeAddr("next");
        vm.expectEmit(true, true, false, false, address(settlement));
        emit AttributionSettlement.TreasuryUpdated(treasury, next);
        vm.prank(governance);
        settlement.setTreasury(next);
        assertEq(settlement.treasury(), next);
        (uint256 p,,,) = settlement.feeSplit();
        assertEq(p, 500, "split untouched");
    }

    function test_setTreasury_zero_reverts() external {
        vm.prank(governance);
        vm.expectRevert(AttributionSettlement.ZeroAddress.selector);
        settlement.setTreasury(address(0));
    }

    function test_setTreasury_notOwner_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        settlement.setTreasury(address(1));
    }
}

contract AttributionSettlement_Prepaid_Test is AttributionSettlement_TestInit {
    function test_deposit_succeeds() external {
        vm.expectEmit(true, true, false, true, address(settlement));
        emit AttributionSettlement.PrepaidDeposited(user, user, 1 ether);
        vm.prank(user);
        settlement.deposit{value: 1 ether}();
        assertEq(settlement.prepaid(user), 101 ether);
    }

    function test_depositFor_succeeds() external {
        vm.expectEmit(true, true, false, true, address(settlement));
        emit AttributionSettlement.PrepaidDeposited(provider, v1, 2 ether);
        vm.prank(provider);
        settlement.depositFor{value: 2 ether}(v1);
        assertEq(settlement.prepaid(v1), 2 ether);
    }

    function test_deposit_zero_reverts() external {
        vm.expectRevert(AttributionSettlement.ZeroAmount.selector);
        settlement.deposit();
    }

    function test_depositFor_zeroUser_reverts() external {
        vm.expectRevert(AttributionSettlement.ZeroAddress.selector);
        settlement.depositFor{value: 1}(address(0));
    }

    function test_withdrawPrepaid_succeeds() external {
        uint256 before = user.balance;
        vm.expectEmit(true, false, false, true, address(settlement));
        emit AttributionSettlement.PrepaidWithdrawn(user, 40 ether);
        vm.prank(user);
        settlement.withdrawPrepaid(40 ether);
        assertEq(settlement.prepaid(user), 60 ether);
        assertEq(user.balance, before + 40 ether);
    }

    function test_withdrawPrepaid_tooMuch_reverts() external {
        vm.prank(user);
        vm.expectRevert(
            abi.encodeWithSelector(AttributionSettlement.InsufficientPrepaid.selector, user, 100 ether, 101 ether)
        );
        settlement.withdrawPrepaid(101 ether);
    }

    function test_withdrawPrepaid_zero_reverts() external {
        vm.prank(user);
        vm.expectRevert(AttributionSettlement.ZeroAmount.selector);
        settlement.withdrawPrepaid(0);
    }

    function test_withdrawPrepaid_rejectingRecipient_reverts() external {
        OpenRejecter r = new OpenRejecter();
        vm.deal(address(this), 1 ether);
        r.exec{value: 1 ether}(address(settlement), abi.encodeCall(AttributionSettlement.deposit, ()));
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.TransferFailed.selector, address(r), 1 ether));
        r.exec(address(settlement), abi.encodeCall(AttributionSettlement.withdrawPrepaid, (1 ether)));
    }
}

contract AttributionSettlement_Settle_Test is AttributionSettlement_TestInit {
    function test_settle_splitsFee_succeeds() external {
        // 1 OPEN over 8 contributions of A: owner 30%, validators 10%, protocol 5%, contributors 55%.
        AttributionSettlement.Settlement memory s = _eightOfA(8);
        uint256 registryBefore = address(registry).balance;
        vm.expectEmit(true, true, true, true, address(settlement));
        emit AttributionSettlement.InferenceSettled(
            1, modelId, s.requestHash, s.outputHash, s.evidenceHash, FEE, provider, provider
        );
        vm.expectEmit(true, true, true, true, address(settlement));
        emit AttributionSettlement.Credited(
            modelOwner, 1, AttributionSettlement.CreditKind.ModelOwner, modelId, 0.3 ether
        );
        vm.expectEmit(true, true, true, true, address(settlement));
        emit AttributionSettlement.Credited(
            contributors[0], 1, AttributionSettlement.CreditKind.Contributor, inA[0], 0.55 ether * 1250 / 10_000
        );
        uint256 id = _settle(s);
        assertEq(id, 1);
        assertEq(settlement.inferenceCount(), 1);
        assertEq(settlement.inferenceOfRequest(s.requestHash), 1);
        assertEq(settlement.credits(modelOwner), 0.3 ether);
        for (uint256 i = 0; i < 8; ++i) {
            assertEq(settlement.credits(contributors[i]), 0.06875 ether);
        }
        assertEq(settlement.credits(treasury), 0.05 ether, "no dust for this fee");
        assertEq(address(registry).balance - registryBefore, 0.1 ether);
        assertEq(registry.datanet(dnA).rewardBalance, 0.1 ether);
        // v3 holds half the stake; the accumulator's sub-wei remainder is carried to the next reward.
        uint256 reward = 0.1 ether;
        uint256 acc = reward * 1e18 / 60 ether;
        assertEq(registry.datanet(dnA).accRewardPerStake, acc);
        assertEq(registry.pendingRewards(dnA, v3), 30 ether * acc / 1e18);
        assertLe(0.05 ether - registry.pendingRewards(dnA, v3), 60);
        assertEq(address(settlement).balance, 100 ether + 0.9 ether);
    }

    function test_settle_dustToTreasury_succeeds() external {
        // fee 1001 wei, 3 contributions 3334/3333/3333: every share rounds down; the treasury takes the rest.
        vm.prank(modelOwner);
        models.updateModel(modelId, 1001, _two(dnA, dnB), "");
        uint256[] memory ids = new uint256[](3);
        ids[0] = inA[0];
        ids[1] = inA[1];
        ids[2] = inB[0];
        uint256[] memory w = new uint256[](3);
        w[0] = 3334;
        w[1] = 3333;
        w[2] = 3333;
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), ids, w);
        uint256 regBefore = address(registry).balance;
        uint256 regTreasuryBefore = registry.credits(treasury);
        vm.prank(provider);
        settlement.settle{value: 1001}(s);
        // owner 300 (300.3), validators 100 (100.1), protocol 50 (50.05), pool 1001-300-100-50 = 551;
        // contributions 551*3334/1e4 = 183, 551*3333/1e4 = 183 (x2); validator parts A 100*6667/1e4 = 66,
        // B 100*3333/1e4 = 33; treasury 1001-300-3*183-66-33 = 53 = 50 + 3 wei of dust.
        assertEq(settlement.credits(modelOwner), 300);
        assertEq(settlement.credits(contributors[0]), 366, "contributor 0 holds inA[0] and inB[0]");
        assertEq(settlement.credits(contributors[1]), 183);
        assertEq(settlement.credits(treasury), 53);
        assertEq(address(registry).balance - regBefore, 99);
        assertEq(registry.credits(treasury) - regTreasuryBefore, 33, "B has no stake: its part to the treasury");
        assertEq(registry.datanet(dnA).rewardBalance, 66);
    }

    function test_settle_validatorPartPerDataNet_succeeds() external {
        uint256[] memory ids = _two(inA[0], inB[0]);
        uint256[] memory w = _two(7_500, 2_500);
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), ids, w);
        vm.expectEmit(true, true, false, true, address(settlement));
        emit AttributionSettlement.ValidatorRewardSent(1, dnA, 0.075 ether);
        vm.expectEmit(true, true, false, true, address(settlement));
        emit AttributionSettlement.ValidatorRewardSent(1, dnB, 0.025 ether);
        _settle(s);
        assertEq(registry.datanet(dnA).rewardBalance, 0.075 ether);
        assertEq(registry.credits(treasury), 0.025 ether);
    }

    function test_settle_byModelOwner_succeeds() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        vm.deal(modelOwner, FEE);
        vm.prank(modelOwner);
        settlement.settle{value: FEE}(s);
        assertEq(settlement.inferenceCount(), 1);
    }

    function test_settle_zeroFee_succeeds() external {
        vm.prank(modelOwner);
        models.updateModel(modelId, 0, _two(dnA, dnB), "");
        AttributionSettlement.Settlement memory s = _eightOfA(8);
        vm.recordLogs();
        vm.prank(provider);
        settlement.settle(s);
        assertEq(vm.getRecordedLogs().length, 1, "only InferenceSettled");
        assertEq(settlement.credits(treasury), 0);
    }

    function test_settle_maxContributions_succeeds() external {
        // 32 contributions: 8 in A plus 24 more.
        uint256[] memory ids = new uint256[](32);
        for (uint256 i = 0; i < 8; ++i) {
            ids[i] = inA[i];
        }
        for (uint256 i = 8; i < 32; ++i) {
            ids[i] = _accepted(dnA, contributors[i % 8]);
        }
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), ids, _equalWeights(32));
        uint256 g = gasleft();
        _settle(s);
        g -= gasleft();
        console.log("settle, 32 contributions, gas", g);
    }

    function test_settle_modelNotFound_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        s.modelId = 99;
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.ModelNotFound.selector, 99));
    }

    function test_settle_retiredModel_reverts() external {
        vm.prank(modelOwner);
        models.retireModel(modelId);
        _settleExpect(_eightOfA(1), abi.encodeWithSelector(AttributionSettlement.ModelNotActive.selector, modelId));
    }

    function test_settle_unauthorizedProvider_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        vm.deal(user, FEE);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.UnauthorizedProvider.selector, modelId, user));
        settlement.settle{value: FEE}(s);
    }

    function test_settle_deauthorizedProvider_reverts() external {
        vm.prank(modelOwner);
        models.setProvider(modelId, provider, false);
        _settleExpect(
            _eightOfA(1), abi.encodeWithSelector(AttributionSettlement.UnauthorizedProvider.selector, modelId, provider)
        );
    }

    function test_settle_incorrectFee_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.IncorrectFee.selector, FEE, FEE - 1));
        settlement.settle{value: FEE - 1}(s);
    }

    function test_settle_noContributions_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), new uint256[](0), new uint256[](0));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.InvalidContributionCount.selector, 0, 32));
    }

    function test_settle_tooManyContributions_reverts() external {
        uint256[] memory ids = new uint256[](33);
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), ids, new uint256[](33));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.InvalidContributionCount.selector, 33, 32));
    }

    function test_settle_lengthMismatch_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], inA[1]), _one(10_000));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.LengthMismatch.selector, 2, 1));
    }

    function test_settle_zeroWeight_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], inA[1]), _two(10_000, 0));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.InvalidWeight.selector, inA[1], 0));
    }

    function test_settle_weightAboveWhole_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], inA[1]), _two(10_001, type(uint256).max));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.InvalidWeight.selector, inA[0], 10_001));
    }

    function test_settle_weightsBelowWhole_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], inA[1]), _two(5_000, 4_999));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.WeightsDoNotSum.selector, 9_999));
    }

    function test_settle_weightsAboveWhole_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], inA[1]), _two(5_000, 5_001));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.WeightsDoNotSum.selector, 10_001));
    }

    function test_settle_duplicateContribution_reverts() external {
        uint256[] memory ids = new uint256[](3);
        ids[0] = inA[0];
        ids[1] = inA[1];
        ids[2] = inA[0];
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), ids, _equalWeights(3));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.DuplicateContribution.selector, inA[0]));
    }

    function test_settle_pendingContribution_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], pendingId), _two(5_000, 5_000));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.ContributionNotAccepted.selector, pendingId));
    }

    function test_settle_rejectedContribution_reverts() external {
        _vote(pendingId, v3, false);
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), _one(pendingId), _one(10_000));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.ContributionNotAccepted.selector, pendingId));
    }

    function test_settle_missingContribution_reverts() external {
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), _one(999), _one(10_000));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.ContributionNotAccepted.selector, 999));
    }

    function test_settle_unlinkedDataNet_reverts() external {
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], unlinkedId), _two(5_000, 5_000));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.DataNetNotLinked.selector, modelId, dnC));
    }

    function test_settle_unlinkedAfterUpdate_reverts() external {
        vm.prank(modelOwner);
        models.updateModel(modelId, FEE, _one(dnB), "");
        _settleExpect(
            _eightOfA(1), abi.encodeWithSelector(AttributionSettlement.DataNetNotLinked.selector, modelId, dnA)
        );
    }

    function test_settle_zeroRequestHash_reverts() external {
        AttributionSettlement.Settlement memory s = _settlement(modelId, bytes32(0), _one(inA[0]), _one(10_000));
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.ZeroRequestHash.selector));
    }

    function test_settle_requestSettledTwice_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(2);
        _settle(s);
        _settleExpect(s, abi.encodeWithSelector(AttributionSettlement.RequestAlreadySettled.selector, s.requestHash, 1));
    }
}

contract AttributionSettlement_SettleSigned_Test is AttributionSettlement_TestInit {
    function _expectSigned(
        AttributionSettlement.Settlement memory s,
        AttributionSettlement.UserRequest memory r,
        bytes memory sig,
        bytes memory err
    ) internal {
        vm.prank(provider);
        vm.expectRevert(err);
        settlement.settleSigned(s, r, sig);
    }

    function test_settleSigned_chargesPrepaid_succeeds() external {
        AttributionSettlement.Settlement memory s = _eightOfA(8);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 7);
        uint256 providerBefore = provider.balance;
        vm.expectEmit(true, true, true, true, address(settlement));
        emit AttributionSettlement.InferenceSettled(
            1, modelId, s.requestHash, s.outputHash, s.evidenceHash, FEE, provider, user
        );
        vm.prank(provider);
        uint256 id = settlement.settleSigned(s, r, sig);
        assertEq(id, 1);
        assertEq(settlement.prepaid(user), 99 ether);
        assertEq(provider.balance, providerBefore, "provider paid nothing");
        assertTrue(settlement.nonceUsed(user, 7));
        assertFalse(settlement.nonceUsed(user, 6));
        assertEq(settlement.credits(modelOwner), 0.3 ether);
        assertEq(address(settlement).balance, 99.9 ether);
    }

    function test_settleSigned_replay_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(8);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 7);
        vm.prank(provider);
        settlement.settleSigned(s, r, sig);
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.NonceUsed.selector, user, 7));
        // A fresh request hash signed with the same nonce is refused as well.
        AttributionSettlement.Settlement memory s2 = _eightOfA(8);
        (AttributionSettlement.UserRequest memory r2, bytes memory sig2) = _signed(s2, 7);
        _expectSigned(s2, r2, sig2, abi.encodeWithSelector(AttributionSettlement.NonceUsed.selector, user, 7));
    }

    function test_settleSigned_unorderedNonces_succeeds() external {
        uint256[3] memory nonces = [uint256(1000), 3, type(uint256).max];
        for (uint256 i = 0; i < 3; ++i) {
            AttributionSettlement.Settlement memory s = _eightOfA(1);
            (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, nonces[i]);
            vm.prank(provider);
            settlement.settleSigned(s, r, sig);
            assertTrue(settlement.nonceUsed(user, nonces[i]));
        }
        assertFalse(settlement.nonceUsed(user, 2));
        assertEq(settlement.prepaid(user), 97 ether);
    }

    function test_settleSigned_cancelledNonce_reverts() external {
        vm.expectEmit(true, false, false, true, address(settlement));
        emit AttributionSettlement.NonceCancelled(user, 5);
        vm.prank(user);
        settlement.cancelNonce(5);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.NonceUsed.selector, user, 5));
        settlement.cancelNonce(5);
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 5);
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.NonceUsed.selector, user, 5));
    }

    function test_settleSigned_wrongSigner_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        AttributionSettlement.UserRequest memory r = _request(s.modelId, s.requestHash, FEE, 1);
        bytes memory sig = _sign(0xBAD, r);
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.InvalidSignature.selector));
    }

    function test_settleSigned_tamperedMaxFee_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        r.maxFee = 2 * FEE;
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.InvalidSignature.selector));
    }

    function test_settleSigned_otherUser_reverts() external {
        // user's signature presented as v1's request: v1 pays nothing it did not sign.
        vm.prank(v1);
        settlement.deposit{value: 10 ether}();
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        r.user = v1;
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.InvalidSignature.selector));
    }

    function test_settleSigned_garbageSignature_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r,) = _signed(s, 1);
        _expectSigned(s, r, hex"1234", abi.encodeWithSelector(AttributionSettlement.InvalidSignature.selector));
    }

    function test_settleSigned_expired_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        vm.warp(r.deadline + 1);
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.RequestExpired.selector, r.deadline));
    }

    function test_settleSigned_atDeadline_succeeds() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        vm.warp(r.deadline);
        vm.prank(provider);
        settlement.settleSigned(s, r, sig);
    }

    function test_settleSigned_feeAboveMax_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        vm.prank(modelOwner);
        models.updateModel(modelId, FEE + 1, _two(dnA, dnB), "");
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.FeeAboveMax.selector, FEE + 1, FEE));
    }

    function test_settleSigned_feeBelowMax_chargesFee_succeeds() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        vm.prank(modelOwner);
        models.updateModel(modelId, FEE / 2, _two(dnA, dnB), "");
        vm.prank(provider);
        settlement.settleSigned(s, r, sig);
        assertEq(settlement.prepaid(user), 100 ether - FEE / 2);
    }

    function test_settleSigned_insufficientPrepaid_reverts() external {
        vm.prank(user);
        settlement.withdrawPrepaid(100 ether - FEE + 1);
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        _expectSigned(
            s, r, sig, abi.encodeWithSelector(AttributionSettlement.InsufficientPrepaid.selector, user, FEE - 1, FEE)
        );
    }

    function test_settleSigned_modelMismatch_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        s.modelId = modelId + 1;
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.RequestMismatch.selector));
    }

    function test_settleSigned_requestHashMismatch_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        s.requestHash = keccak256("other");
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.RequestMismatch.selector));
    }

    function test_settleSigned_unauthorizedProvider_reverts() external {
        AttributionSettlement.Settlement memory s = _eightOfA(1);
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.UnauthorizedProvider.selector, modelId, v1));
        settlement.settleSigned(s, r, sig);
    }

    function test_settleSigned_invalidAttribution_reverts() external {
        // The signature is good, but the attribution is not: nothing is charged.
        AttributionSettlement.Settlement memory s =
            _settlement(modelId, _nextRequest(), _two(inA[0], inA[1]), _two(5_000, 4_000));
        (AttributionSettlement.UserRequest memory r, bytes memory sig) = _signed(s, 1);
        _expectSigned(s, r, sig, abi.encodeWithSelector(AttributionSettlement.WeightsDoNotSum.selector, 9_000));
        assertEq(settlement.prepaid(user), 100 ether);
        assertFalse(settlement.nonceUsed(user, 1));
    }

    function test_settleSigned_erc1271Wallet_succeeds() external {
        uint256 ownerPk = 0xA11CE;
        MockWallet wallet = new MockWallet(vm.addr(ownerPk));
        vm.prank(user);
        settlement.depositFor{value: 5 ether}(address(wallet));
        AttributionSettlement.Settlement memory s = _eightOfA(2);
        AttributionSettlement.UserRequest memory r = _request(s.modelId, s.requestHash, FEE, 1);
        r.user = address(wallet);
        bytes memory sig = _sign(ownerPk, r);
        vm.prank(provider);
        settlement.settleSigned(s, r, sig);
        assertEq(settlement.prepaid(address(wallet)), 4 ether);
        // The wallet refuses other signers.
        AttributionSettlement.Settlement memory s2 = _eightOfA(2);
        AttributionSettlement.UserRequest memory r2 = _request(s2.modelId, s2.requestHash, FEE, 2);
        r2.user = address(wallet);
        _expectSigned(
            s2, r2, _sign(USER_PK, r2), abi.encodeWithSelector(AttributionSettlement.InvalidSignature.selector)
        );
    }
}

contract AttributionSettlement_Claim_Test is AttributionSettlement_TestInit {
    function test_claim_succeeds() external {
        _settle(_eightOfA(8));
        uint256 before = modelOwner.balance;
        vm.expectEmit(true, false, false, true, address(settlement));
        emit AttributionSettlement.Claimed(modelOwner, 0.3 ether);
        vm.prank(modelOwner);
        settlement.claim();
        assertEq(modelOwner.balance, before + 0.3 ether);
        assertEq(settlement.credits(modelOwner), 0);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.NothingToClaim.selector, modelOwner));
        settlement.claim();
    }

    function test_claim_nothing_reverts() external {
        vm.prank(v1);
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.NothingToClaim.selector, v1));
        settlement.claim();
    }

    function test_claim_rejectingRecipient_reverts() external {
        OpenRejecter r = new OpenRejecter();
        vm.prank(governance);
        settlement.setTreasury(address(r));
        _settle(_eightOfA(8));
        vm.expectRevert(abi.encodeWithSelector(AttributionSettlement.TransferFailed.selector, address(r), 0.05 ether));
        r.exec(address(settlement), abi.encodeCall(AttributionSettlement.claim, ()));
    }
}

/// @notice Gas of the hot path: a settlement crediting 8 contributions of one DataNet.
contract AttributionSettlement_Gas_Test is AttributionSettlement_TestInit {
    uint256 internal constant GAS_TARGET = 400_000;

    /// @dev Steady state: every account was credited before (non-zero credits), one earlier settlement used the
    ///      user's nonce word.
    function setUp() public override {
        super.setUp();
        _settle(_eightOfA(8));
        _gasOfSettleSigned(_eightOfA(8), 0); // a signed settlement with nonce 0: the nonce word is now warm
    }

    function test_gas_settle8_succeeds() external {
        _checkGas("settle, 8 contributions, warm credits: gas", _gasOfSettle(_eightOfA(8)), GAS_TARGET);
    }

    function test_gas_settleSigned8_succeeds() external {
        _checkGas("settleSigned, 8 contributions, warm credits: gas", _gasOfSettleSigned(_eightOfA(8), 1), GAS_TARGET);
    }
}

/// @notice Gas of the very first settlement: every credit, counter and reward slot is zero.
contract AttributionSettlement_GasCold_Test is AttributionSettlement_TestInit {
    uint256 internal constant GAS_FIRST_EVER = 500_000;

    function test_gas_settle8_firstEver_succeeds() external {
        _checkGas("settle, 8 contributions, first settlement ever: gas", _gasOfSettle(_eightOfA(8)), GAS_FIRST_EVER);
    }

    function test_gas_settleSigned8_firstEver_succeeds() external {
        _checkGas(
            "settleSigned, 8 contributions, first settlement ever: gas",
            _gasOfSettleSigned(_eightOfA(8), 0),
            GAS_FIRST_EVER
        );
    }
}

/// @notice Gas after one settlement whose credits were all claimed (in setUp, a separate transaction, so every
///         credit slot is zero at the start of the measured one): each credit writes a zero slot.
contract AttributionSettlement_GasClaimed_Test is AttributionSettlement_TestInit {
    /// @dev Ten zero-to-non-zero credit writes (8 contributors, model owner, treasury) cost ~170k more than the
    ///      steady state.
    uint256 internal constant GAS_BOUND = 450_000;

    function setUp() public override {
        super.setUp();
        _settle(_eightOfA(8));
        for (uint256 i = 0; i < 8; ++i) {
            vm.prank(contributors[i]);
            settlement.claim();
        }
        vm.prank(modelOwner);
        settlement.claim();
        vm.prank(treasury);
        settlement.claim();
    }

    function test_gas_settle8_zeroCredits_succeeds() external {
        _checkGas("settle, 8 contributions, all credits claimed before: gas", _gasOfSettle(_eightOfA(8)), GAS_BOUND);
    }

    function test_gas_settleSigned8_zeroCredits_succeeds() external {
        _checkGas(
            "settleSigned, 8 contributions, all credits claimed before, new nonce word: gas",
            _gasOfSettleSigned(_eightOfA(8), 0),
            GAS_BOUND
        );
    }
}

/// @notice The split is exact for arbitrary fees, weights, split parameters and DataNet mixes.
contract AttributionSettlement_SplitFuzz_Test is AttributionSettlement_TestInit {
    uint256[] internal pool32;

    function setUp() public override {
        super.setUp();
        for (uint256 i = 0; i < 8; ++i) {
            pool32.push(inA[i]);
        }
        pool32.push(inB[0]);
        pool32.push(inB[1]);
        for (uint256 i = 10; i < 32; ++i) {
            pool32.push(_accepted(dnA, contributors[i % 8]));
        }
    }

    struct Before {
        uint256 settlementBalance;
        uint256 registryBalance;
        uint256 credits;
        uint256 contributorCredits;
        uint256 regTreasury;
        uint256 rewardA;
    }

    struct Params {
        uint256 fee;
        uint256 protocolBps;
        uint256 validatorBps;
        uint256 ownerBps;
    }

    function testFuzz_settle_splitExact_succeeds(
        uint256 fee,
        uint256 n,
        uint256 seed,
        uint256 protocolBps,
        uint256 validatorBps,
        uint256 ownerBps
    ) external {
        Params memory p;
        p.fee = bound(fee, 0, 1e27);
        p.protocolBps = bound(protocolBps, 0, 2_000);
        p.validatorBps = bound(validatorBps, 0, 3_000);
        uint256 ownerCap = 7_000 - p.protocolBps - p.validatorBps;
        p.ownerBps = bound(ownerBps, 0, ownerCap < 5_000 ? ownerCap : 5_000);
        vm.prank(governance);
        settlement.setFeeSplit(p.protocolBps, p.validatorBps, p.ownerBps);
        vm.prank(modelOwner);
        models.updateModel(modelId, p.fee, _two(dnA, dnB), "");

        (uint256[] memory ids, uint256[] memory w) =
            AttributionFixtures.randomAttribution(pool32, bound(n, 1, 32), seed);
        AttributionSettlement.Settlement memory s = _settlement(modelId, _nextRequest(), ids, w);
        Before memory b = _snapshot();
        vm.deal(provider, p.fee);
        vm.prank(provider);
        settlement.settle{value: p.fee}(s);
        _checkSplit(p, s, b);
    }

    function _snapshot() internal view returns (Before memory b) {
        b.settlementBalance = address(settlement).balance;
        b.registryBalance = address(registry).balance;
        b.credits = _allCredits();
        b.contributorCredits = _contributorCredits();
        b.regTreasury = registry.credits(treasury);
        b.rewardA = registry.datanet(dnA).rewardBalance;
    }

    function _checkSplit(Params memory p, AttributionSettlement.Settlement memory s, Before memory b) internal view {
        uint256 fee = p.fee;
        uint256 credited = _allCredits() - b.credits;
        uint256 toRegistry = address(registry).balance - b.registryBalance;
        assertEq(credited + toRegistry, fee, "every wei credited or forwarded");
        assertEq(address(settlement).balance - b.settlementBalance, credited, "settlement keeps the credits");
        assertEq(
            toRegistry,
            (registry.datanet(dnA).rewardBalance - b.rewardA) + (registry.credits(treasury) - b.regTreasury),
            "registry: A's stake rewards + B's unstaked part"
        );
        uint256 ownerAmount = fee * p.ownerBps / 10_000;
        uint256 validatorAmount = fee * p.validatorBps / 10_000;
        uint256 protocolAmount = fee * p.protocolBps / 10_000;
        assertEq(settlement.credits(modelOwner), ownerAmount, "model owner");
        uint256 pool = fee - ownerAmount - validatorAmount - protocolAmount;
        uint256 expected;
        for (uint256 i = 0; i < s.weightsBps.length; ++i) {
            expected += pool * s.weightsBps[i] / 10_000;
        }
        assertEq(_contributorCredits() - b.contributorCredits, expected, "contributors by weight");
        assertLe(toRegistry, validatorAmount, "validator parts");
        uint256 treasuryShare = settlement.credits(treasury);
        assertLe(protocolAmount, treasuryShare, "treasury gets at least the protocol share");
        // Dust: under one wei per contributor share and per validator part.
        assertLe(treasuryShare - protocolAmount, 2 * s.contributions.length, "dust bound");
    }

    function _contributorCredits() internal view returns (uint256 total) {
        for (uint256 i = 0; i < 8; ++i) {
            total += settlement.credits(contributors[i]);
        }
    }

    function _allCredits() internal view returns (uint256 total) {
        total = settlement.credits(modelOwner) + settlement.credits(treasury);
        for (uint256 i = 0; i < 8; ++i) {
            total += settlement.credits(contributors[i]);
        }
    }
}
