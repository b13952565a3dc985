// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {DataNetRegistry} from "../../src/L2/DataNetRegistry.sol";
import {ModelRegistry} from "../../src/L2/ModelRegistry.sol";
import {AttributionSettlement} from "../../src/L2/AttributionSettlement.sol";
import {AttributionFixtures} from "../setup/AttributionFixtures.sol";

/// @notice forge's console, without forge-std: `log(string,uint256)` on the console address.
library console {
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory label, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", label, value));
        ok;
    }
}

/// @notice An ERC-1271 wallet that accepts a signature when its owner's ECDSA signature matches.
contract MockWallet {
    address public immutable signer;

    constructor(address signer_) {
        signer = signer_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(hash, v, r, s) == signer ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

/// @notice An account that rejects native OPEN; forwards calls so it can hold credits and stake.
contract OpenRejecter {
    function exec(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}

/// @title AttributionCommonTest
/// @notice Deploys DataNetRegistry, ModelRegistry and AttributionSettlement with named actors, plus helpers to
///         build DataNets with validators, Accepted contributions, models and signed requests.
abstract contract AttributionCommonTest is Test {
    uint256 internal constant DEPOSIT = 0.1 ether;
    uint256 internal constant QUORUM = 5_000;
    uint256 internal constant FEE = 1 ether;
    uint256 internal constant USER_PK = 0x05E4;

    address internal governance;
    address internal treasury;
    address internal dnOwner;
    address internal modelOwner;
    address internal provider;
    address internal user;
    address internal v1;
    address internal v2;
    address internal v3;
    address[] internal contributors;

    DataNetRegistry internal registry;
    ModelRegistry internal models;
    AttributionSettlement internal settlement;

    uint256 internal saltCounter;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        vm.roll(100);
        governance = makeAddr("governance");
        treasury = makeAddr("treasury");
        dnOwner = makeAddr("dnOwner");
        modelOwner = makeAddr("modelOwner");
        provider = makeAddr("provider");
        user = vm.addr(USER_PK);
        vm.label(user, "user");
        v1 = makeAddr("v1");
        v2 = makeAddr("v2");
        v3 = makeAddr("v3");
        for (uint256 i = 0; i < 8; ++i) {
            address c = _addr(0xC0000 + i);
            vm.label(c, "contributor");
            contributors.push(c);
            vm.deal(c, 100 ether);
        }
        registry = new DataNetRegistry(governance, treasury);
        models = new ModelRegistry(registry);
        settlement = new AttributionSettlement(governance, treasury, registry, models);
        vm.deal(v1, 10_000 ether);
        vm.deal(v2, 10_000 ether);
        vm.deal(v3, 10_000 ether);
        vm.deal(provider, 10_000 ether);
        vm.deal(user, 10_000 ether);
        vm.deal(dnOwner, 100 ether);
    }

    /// @dev A plain address from a small number (seed < 2**160).
    function _addr(uint256 seed) internal pure returns (address) {
        // forge-lint: disable-next-line(unsafe-typecast)
        return address(uint160(seed));
    }

    // ------------------------------------------------------------ DataNets

    function _createDataNet() internal returns (uint256) {
        return _createDataNet(DEPOSIT, QUORUM);
    }

    function _createDataNet(uint256 deposit, uint256 quorumBps) internal returns (uint256 id) {
        vm.prank(dnOwner);
        id = registry.createDataNet("medical", "ipfs://medical", deposit, quorumBps);
    }

    function _stake(uint256 datanetId, address validator, uint256 amount) internal {
        vm.deal(validator, validator.balance + amount);
        vm.prank(validator);
        registry.stake{value: amount}(datanetId);
    }

    function _requestUnbond(uint256 datanetId, address validator, uint256 amount) internal {
        vm.prank(validator);
        registry.requestUnbond(datanetId, amount);
    }

    /// @dev A DataNet with `validator` alone staking `amount`.
    function _dataNetStakedBy(address validator, uint256 amount) internal returns (uint256 id) {
        id = _createDataNet();
        _stake(id, validator, amount);
    }

    /// @dev A DataNet with v1, v2, v3 staking 10, 20, 30 OPEN.
    function _dataNetWithValidators() internal returns (uint256 id) {
        id = _createDataNet();
        _stake(id, v1, 10 ether);
        _stake(id, v2, 20 ether);
        _stake(id, v3, 30 ether);
    }

    function _nextHash() internal returns (bytes32) {
        return keccak256(abi.encode("content", ++saltCounter));
    }

    function _submit(uint256 datanetId, address contributor) internal returns (uint256 id) {
        return _submit(datanetId, contributor, _nextHash());
    }

    function _submit(uint256 datanetId, address contributor, bytes32 contentHash) internal returns (uint256 id) {
        uint256 deposit = registry.datanet(datanetId).contributionDeposit;
        vm.deal(contributor, contributor.balance + deposit);
        vm.prank(contributor);
        id = registry.submitContribution{value: deposit}(datanetId, contentHash, 1234, "ipfs://c", "CC-BY-4.0");
    }

    function _vote(uint256 contributionId, address validator, bool accept) internal {
        vm.prank(validator);
        registry.vote(contributionId, accept);
    }

    /// @dev Submits and accepts a contribution (v3 alone holds 50% of the stake in _dataNetWithValidators).
    function _accepted(uint256 datanetId, address contributor) internal returns (uint256 id) {
        id = _submit(datanetId, contributor);
        _vote(id, v3, true);
        assertTrue(registry.isAccepted(id), "not accepted");
    }

    // ------------------------------------------------------------ models and settlements

    function _registerModel(uint256[] memory datanetIds, uint256 fee) internal returns (uint256 id) {
        vm.prank(modelOwner);
        id = models.registerModel(keccak256("weights"), 0, datanetIds, fee, "ipfs://model");
        vm.prank(modelOwner);
        models.setProvider(id, provider, true);
    }

    function _one(uint256 x) internal pure returns (uint256[] memory a) {
        a = new uint256[](1);
        a[0] = x;
    }

    function _two(uint256 x, uint256 y) internal pure returns (uint256[] memory a) {
        a = new uint256[](2);
        a[0] = x;
        a[1] = y;
    }

    function _settlement(uint256 modelId, bytes32 requestHash, uint256[] memory ids, uint256[] memory weights)
        internal
        pure
        returns (AttributionSettlement.Settlement memory)
    {
        return AttributionFixtures.settlement(modelId, requestHash, ids, weights);
    }

    /// @dev `n` equal-ish weights summing to 10000 (the first takes the remainder).
    function _equalWeights(uint256 n) internal pure returns (uint256[] memory w) {
        w = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            w[i] = 10_000 / n;
        }
        // forge-lint: disable-next-line(divide-before-multiply)
        w[0] += 10_000 - (10_000 / n) * n; // the rounding remainder, on purpose
    }

    function _request(uint256 modelId, bytes32 requestHash, uint256 maxFee, uint256 nonce)
        internal
        view
        returns (AttributionSettlement.UserRequest memory)
    {
        return AttributionSettlement.UserRequest({
            user: user,
            modelId: modelId,
            requestHash: requestHash,
            maxFee: maxFee,
            nonce: nonce,
            deadline: block.timestamp + 1 hours
        });
    }

    function _sign(uint256 pk, AttributionSettlement.UserRequest memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(pk, _digest(r));
        return abi.encodePacked(rr, ss, v);
    }

    /// @dev The EIP-712 domain separator of AttributionSettlement at `verifyingContract` on `chainId`, computed
    ///      independently of the contract.
    function _domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Tributary Attribution"),
                keccak256("1"),
                chainId,
                verifyingContract
            )
        );
    }

    /// @dev The EIP-712 digest computed independently of the contract.
    function _digest(AttributionSettlement.UserRequest memory r) internal view returns (bytes32) {
        bytes32 domain = _domainSeparator(block.chainid, address(settlement));
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "InferenceRequest(uint256 modelId,bytes32 requestHash,uint256 maxFee,uint256 nonce,uint256 deadline)"
                ),
                r.modelId,
                r.requestHash,
                r.maxFee,
                r.nonce,
                r.deadline
            )
        );
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }
}
