// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AttributionCommonTest} from "./AttributionCommon.t.sol";
import {DataNetRegistry} from "../../src/L2/DataNetRegistry.sol";
import {ModelRegistry} from "../../src/L2/ModelRegistry.sol";

contract ModelRegistry_TestInit is AttributionCommonTest {
    uint256 internal dnA;
    uint256 internal dnB;

    function setUp() public virtual override {
        super.setUp();
        dnA = _createDataNet();
        dnB = _createDataNet();
    }

    function _register(uint256 parent, uint256[] memory datanetIds) internal returns (uint256) {
        vm.prank(modelOwner);
        return models.registerModel(keccak256("w"), parent, datanetIds, FEE, "ipfs://card");
    }
}

contract ModelRegistry_Constructor_Test is ModelRegistry_TestInit {
    function test_constructor_succeeds() external view {
        assertEq(address(models.datanetRegistry()), address(registry));
        assertEq(models.modelCount(), 0);
        assertEq(models.MAX_DATANETS(), 16);
        assertEq(models.version(), "1.0.0-beta.1");
    }

    function test_constructor_zeroRegistry_reverts() external {
        vm.expectRevert(ModelRegistry.ZeroAddress.selector);
        new ModelRegistry(DataNetRegistry(address(0)));
    }
}

contract ModelRegistry_RegisterModel_Test is ModelRegistry_TestInit {
    function test_registerModel_base_succeeds() external {
        uint256[] memory dns = _two(dnA, dnB);
        vm.expectEmit(true, true, true, true, address(models));
        emit ModelRegistry.ModelRegistered(1, modelOwner, 0, keccak256("w"), FEE, dns, "ipfs://card");
        uint256 id = _register(0, dns);
        assertEq(id, 1);
        assertEq(models.modelCount(), 1);
        ModelRegistry.Model memory m = models.model(id);
        assertEq(m.owner, modelOwner);
        assertEq(uint256(m.parentModelId), 0);
        assertTrue(m.active);
        assertEq(m.feePerInference, FEE);
        assertEq(m.artifactHash, keccak256("w"));
        assertEq(m.metadataURI, "ipfs://card");
        assertEq(m.datanetIds.length, 2);
        assertEq(m.datanetIds[1], dnB);
        assertTrue(models.isLinked(id, dnA));
        assertTrue(models.isLinked(id, dnB));
        assertFalse(models.isLinked(id, 3));
        uint256[] memory linked = models.linkedDataNets(id);
        assertEq(linked.length, 2);
        assertEq(linked[0], dnA);
    }

    function test_registerModel_adapter_succeeds() external {
        uint256 base = _register(0, new uint256[](0));
        uint256 adapter = _register(base, _one(dnA));
        assertEq(uint256(models.model(adapter).parentModelId), base);
        // An adapter of an adapter is an adapter too.
        uint256 deeper = _register(adapter, _one(dnB));
        assertEq(uint256(models.model(deeper).parentModelId), adapter);
    }

    function test_registerModel_noDataNets_succeeds() external {
        uint256 id = _register(0, new uint256[](0));
        assertEq(models.linkedDataNets(id).length, 0);
    }

    function test_registerModel_maxDataNets_succeeds() external {
        uint256[] memory dns = new uint256[](16);
        dns[0] = dnA;
        dns[1] = dnB;
        for (uint256 i = 2; i < 16; ++i) {
            dns[i] = _createDataNet();
        }
        uint256 id = _register(0, dns);
        assertEq(models.linkedDataNets(id).length, 16);
    }

    function test_registerModel_tooManyDataNets_reverts() external {
        uint256[] memory dns = new uint256[](17);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.TooManyDataNets.selector, 17, 16));
        models.registerModel(keccak256("w"), 0, dns, FEE, "");
    }

    function test_registerModel_missingDataNet_reverts() external {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DataNetNotFound.selector, 3));
        models.registerModel(keccak256("w"), 0, _two(dnA, 3), FEE, "");
    }

    function test_registerModel_zeroDataNet_reverts() external {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DataNetNotFound.selector, 0));
        models.registerModel(keccak256("w"), 0, _one(0), FEE, "");
    }

    function test_registerModel_duplicateDataNet_reverts() external {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DuplicateDataNet.selector, dnA));
        models.registerModel(keccak256("w"), 0, _two(dnA, dnA), FEE, "");
    }

    function test_registerModel_zeroArtifact_reverts() external {
        vm.prank(modelOwner);
        vm.expectRevert(ModelRegistry.ZeroArtifactHash.selector);
        models.registerModel(bytes32(0), 0, _one(dnA), FEE, "");
    }

    function test_registerModel_missingParent_reverts() external {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidParent.selector, 1));
        models.registerModel(keccak256("w"), 1, _one(dnA), FEE, "");
    }

    function test_registerModel_retiredParent_reverts() external {
        uint256 base = _register(0, _one(dnA));
        vm.prank(modelOwner);
        models.retireModel(base);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidParent.selector, base));
        models.registerModel(keccak256("w"), base, _one(dnA), FEE, "");
    }

    function test_registerModel_parentOfOtherOwner_succeeds() external {
        uint256 base = _register(0, _one(dnA));
        vm.prank(user);
        uint256 adapter = models.registerModel(keccak256("lora"), base, _one(dnB), 0, "");
        assertEq(models.model(adapter).owner, user);
    }
}

contract ModelRegistry_UpdateModel_Test is ModelRegistry_TestInit {
    function test_updateModel_replacesLinks_succeeds() external {
        uint256 id = _register(0, _one(dnA));
        uint256 dnC = _createDataNet();
        uint256[] memory dns = _two(dnB, dnC);
        vm.expectEmit(true, false, false, true, address(models));
        emit ModelRegistry.ModelUpdated(id, 2 ether, dns, "ipfs://v2");
        vm.prank(modelOwner);
        models.updateModel(id, 2 ether, dns, "ipfs://v2");
        ModelRegistry.Model memory m = models.model(id);
        assertEq(m.feePerInference, 2 ether);
        assertEq(m.metadataURI, "ipfs://v2");
        assertFalse(models.isLinked(id, dnA));
        assertTrue(models.isLinked(id, dnB));
        assertTrue(models.isLinked(id, dnC));
        assertEq(models.linkedDataNets(id).length, 2);
    }

    function test_updateModel_keepSameLinks_succeeds() external {
        uint256 id = _register(0, _two(dnA, dnB));
        vm.prank(modelOwner);
        models.updateModel(id, 0, _two(dnB, dnA), "");
        assertTrue(models.isLinked(id, dnA));
        assertEq(models.linkedDataNets(id)[0], dnB);
    }

    function test_updateModel_duplicate_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DuplicateDataNet.selector, dnB));
        models.updateModel(id, 0, _two(dnB, dnB), "");
    }

    function test_updateModel_notOwner_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, provider));
        models.updateModel(id, 0, _one(dnA), "");
    }

    function test_updateModel_retired_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.startPrank(modelOwner);
        models.retireModel(id);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotActive.selector, id));
        models.updateModel(id, 0, _one(dnA), "");
        vm.stopPrank();
    }

    function test_updateModel_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotFound.selector, 4));
        models.updateModel(4, 0, _one(dnA), "");
    }
}

contract ModelRegistry_Providers_Test is ModelRegistry_TestInit {
    function test_setProvider_succeeds() external {
        uint256 id = _register(0, _one(dnA));
        assertFalse(models.isProvider(id, provider));
        assertTrue(models.isProvider(id, modelOwner), "owner is always a provider");
        vm.expectEmit(true, true, false, true, address(models));
        emit ModelRegistry.ProviderSet(id, provider, true);
        vm.prank(modelOwner);
        models.setProvider(id, provider, true);
        assertTrue(models.isProvider(id, provider));
        vm.prank(modelOwner);
        models.setProvider(id, provider, false);
        assertFalse(models.isProvider(id, provider));
    }

    function test_setProvider_zero_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.prank(modelOwner);
        vm.expectRevert(ModelRegistry.ZeroAddress.selector);
        models.setProvider(id, address(0), true);
    }

    function test_setProvider_notOwner_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, provider));
        models.setProvider(id, provider, true);
    }

    function test_setProvider_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotFound.selector, 1));
        models.setProvider(1, provider, true);
    }

    function test_isProvider_missingModel_succeeds() external view {
        assertFalse(models.isProvider(1, address(0)));
        assertFalse(models.isProvider(1, provider));
    }

    function test_settlementTerms_succeeds() external {
        uint256 id = _register(0, _one(dnA));
        (address owner, uint256 fee, bool active, bool authorised) = models.settlementTerms(id, provider);
        assertEq(owner, modelOwner);
        assertEq(fee, FEE);
        assertTrue(active);
        assertFalse(authorised);
        (,,, authorised) = models.settlementTerms(id, modelOwner);
        assertTrue(authorised);
        (owner,, active, authorised) = models.settlementTerms(99, address(0));
        assertEq(owner, address(0));
        assertFalse(active);
        assertFalse(authorised);
    }
}

contract ModelRegistry_RetireModel_Test is ModelRegistry_TestInit {
    function test_retireModel_succeeds() external {
        uint256 id = _register(0, _one(dnA));
        vm.expectEmit(true, false, false, false, address(models));
        emit ModelRegistry.ModelRetired(id);
        vm.prank(modelOwner);
        models.retireModel(id);
        assertFalse(models.model(id).active);
    }

    function test_retireModel_twice_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.startPrank(modelOwner);
        models.retireModel(id);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotActive.selector, id));
        models.retireModel(id);
        vm.stopPrank();
    }

    function test_retireModel_notOwner_reverts() external {
        uint256 id = _register(0, _one(dnA));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, address(this)));
        models.retireModel(id);
    }

    function test_model_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotFound.selector, 1));
        models.model(1);
    }

    function test_linkedDataNets_notFound_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotFound.selector, 1));
        models.linkedDataNets(1);
    }
}
