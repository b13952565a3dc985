// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InvariantHandler} from "../../InvariantSetup.sol";
import {AttributionFixtures} from "../../../setup/AttributionFixtures.sol";
import {DataNetRegistry} from "../../../../src/L2/DataNetRegistry.sol";
import {ModelRegistry} from "../../../../src/L2/ModelRegistry.sol";
import {AttributionSettlement} from "../../../../src/L2/AttributionSettlement.sol";

/// @title AttributionHandler
/// @notice Drives DataNetRegistry, ModelRegistry and AttributionSettlement through valid flows (each valid by
///         construction, so each must succeed): staking, unbonding, withdrawals, slashing, contributions and
///         votes, rewards, settlements paid by value or from signed prepaid requests, prepaid deposits and
///         withdrawals, claims and fee-split changes. Hostile actions (replays of signed requests, claims of more
///         than is owed) count violations when they succeed. Keeps ghost flows for the invariants.
contract AttributionHandler is InvariantHandler {
    DataNetRegistry public immutable registry;
    ModelRegistry public immutable models;
    AttributionSettlement public immutable settlement;
    address public immutable governance;
    address public immutable treasury;
    address public immutable modelOwner;
    address public immutable provider;

    uint256 public immutable modelId;
    uint256[2] public datanets;

    address[] public validators;
    address[] public contributors;
    uint256[] public userKeys;
    address[] public users;

    /// @notice Contribution ids per DataNet index (0 or 1), and the Accepted ones.
    mapping(uint256 => uint256[]) internal _submitted;
    mapping(uint256 => uint256[]) internal _accepted;
    uint256 internal _contentSalt;
    uint256 internal _requestSalt;

    /// @notice Encoded settleSigned calls that succeeded (replayed by the hostile action).
    bytes[] internal _signedCalls;
    /// @notice (user, nonce) of every successful settleSigned.
    address[] public signedUsers;
    uint256[] public signedNonces;

    // Ghost flows (wei).
    uint256 public ghostFees;
    uint256 public ghostFeesByValue;
    uint256 public ghostForwarded;
    uint256 public ghostSettlementClaimed;
    uint256 public ghostPrepaidIn;
    uint256 public ghostPrepaidOut;
    uint256 public ghostRegistryIn;
    uint256 public ghostRegistryOut;
    uint256 public ghostSettlements;
    uint256 public violations;

    constructor(
        DataNetRegistry registry_,
        ModelRegistry models_,
        AttributionSettlement settlement_,
        address governance_,
        address treasury_
    ) {
        registry = registry_;
        models = models_;
        settlement = settlement_;
        governance = governance_;
        treasury = treasury_;
        modelOwner = address(0x0DE1);
        provider = address(0x9A0F);
        for (uint256 i = 0; i < 4; ++i) {
            // forge-lint: disable-start(unsafe-typecast)
            validators.push(address(uint160(0xA100 + i)));
            contributors.push(address(uint160(0xC100 + i)));
            // forge-lint: disable-end(unsafe-typecast)
        }
        for (uint256 i = 0; i < 2; ++i) {
            uint256 key = 0xB0B + i;
            userKeys.push(key);
            users.push(vm.addr(key));
        }
        actors.push(treasury_);
        actors.push(modelOwner);
        actors.push(provider);
        for (uint256 i = 0; i < 4; ++i) {
            actors.push(validators[i]);
            actors.push(contributors[i]);
        }
        actors.push(users[0]);
        actors.push(users[1]);
        for (uint256 i = 0; i < actors.length; ++i) {
            vm.deal(actors[i], 1_000_000_000 ether);
        }
        vm.deal(address(this), 1_000_000_000 ether); // distributeReward donates from the handler

        vm.prank(address(0xD0));
        datanets[0] = registry_.createDataNet("A", "ipfs://a", 0.1 ether, 5_000);
        vm.prank(address(0xD0));
        datanets[1] = registry_.createDataNet("B", "ipfs://b", 0, 10_000);
        vm.prank(modelOwner);
        modelId = models_.registerModel(keccak256("weights"), 0, _bothDataNets(), 1 ether, "ipfs://m");
        vm.prank(modelOwner);
        models_.setProvider(modelId, provider, true);
    }

    // ------------------------------------------------------------ views for the invariants

    function validatorCount() external view returns (uint256) {
        return validators.length;
    }

    function signedCount() external view returns (uint256) {
        return signedUsers.length;
    }

    // ------------------------------------------------------------ staking

    function stake(uint256 actorSeed, uint256 dnSeed, uint256 amount) public {
        address v = validators[actorSeed % validators.length];
        uint256 dn = datanets[dnSeed % 2];
        uint256 current = registry.validator(dn, v).stake;
        uint256 min = registry.minStake();
        uint256 floor = current >= min ? 1 : min - current;
        amount = bound(amount, floor, 1_000 ether);
        vm.prank(v);
        registry.stake{value: amount}(dn);
        ghostRegistryIn += amount;
        _succeeded("stake");
    }

    function requestUnbond(uint256 actorSeed, uint256 dnSeed, uint256 amount) external {
        address v = validators[actorSeed % validators.length];
        uint256 dn = datanets[dnSeed % 2];
        uint256 current = registry.validator(dn, v).stake;
        if (current == 0) return;
        uint256 min = registry.minStake();
        // Either everything, or an amount that leaves at least minStake.
        if (current <= min || amount % 3 == 0) {
            amount = current;
        } else {
            amount = bound(amount, 1, current - min);
        }
        vm.prank(v);
        registry.requestUnbond(dn, amount);
        _succeeded("requestUnbond");
    }

    function withdrawUnbonded(uint256 actorSeed, uint256 dnSeed) external {
        address v = validators[actorSeed % validators.length];
        uint256 dn = datanets[dnSeed % 2];
        DataNetRegistry.Validator memory pos = registry.validator(dn, v);
        if (pos.unbonding == 0) return;
        if (block.timestamp < pos.unbondReadyAt) vm.warp(pos.unbondReadyAt);
        uint256 before = v.balance;
        vm.prank(v);
        registry.withdrawUnbonded(dn);
        if (v.balance != before + pos.unbonding) violations++;
        ghostRegistryOut += pos.unbonding;
        _succeeded("withdrawUnbonded");
    }

    function slash(uint256 actorSeed, uint256 dnSeed, uint256 amount) external {
        address v = validators[actorSeed % validators.length];
        uint256 dn = datanets[dnSeed % 2];
        DataNetRegistry.Validator memory pos = registry.validator(dn, v);
        uint256 available = pos.stake + pos.unbonding;
        if (available == 0) return;
        amount = bound(amount, 1, available);
        vm.prank(governance);
        registry.slash(dn, v, amount, "invariant");
        _succeeded("slash");
    }

    // ------------------------------------------------------------ contributions

    function submit(uint256 actorSeed, uint256 dnSeed) public returns (uint256 id) {
        address c = contributors[actorSeed % contributors.length];
        uint256 index = dnSeed % 2;
        uint256 dn = datanets[index];
        uint256 amount = registry.datanet(dn).contributionDeposit;
        vm.prank(c);
        id = registry.submitContribution{value: amount}(
            dn, keccak256(abi.encode("content", ++_contentSalt)), 100 + _contentSalt, "ipfs://c", "MIT"
        );
        ghostRegistryIn += amount;
        _submitted[index].push(id);
        _succeeded("submit");
    }

    /// @dev A validator with stake that has not voted votes on a Pending contribution.
    function vote(uint256 seed, bool accept) external {
        uint256 index = seed % 2;
        uint256[] storage ids = _submitted[index];
        if (ids.length == 0) return;
        uint256 id = ids[(seed >> 8) % ids.length];
        if (registry.contribution(id).status != DataNetRegistry.ContributionStatus.Pending) return;
        uint256 dn = datanets[index];
        for (uint256 k = 0; k < validators.length; ++k) {
            address v = validators[(seed % validators.length + k) % validators.length];
            if (registry.validator(dn, v).stake == 0) continue;
            if (registry.voteOf(id, v).choice != DataNetRegistry.VoteChoice.None) continue;
            vm.prank(v);
            registry.vote(id, accept);
            if (registry.isAccepted(id)) _accepted[index].push(id);
            _succeeded("vote");
            return;
        }
    }

    function distributeReward(uint256 dnSeed, uint256 amount) external {
        amount = bound(amount, 1, 100 ether);
        registry.distributeValidatorReward{value: amount}(datanets[dnSeed % 2]);
        ghostRegistryIn += amount;
        _succeeded("distributeReward");
    }

    // ------------------------------------------------------------ settlements

    function settle(uint256 seed, uint256 fee) external {
        AttributionSettlement.Settlement memory s = _attribution(seed, fee);
        fee = models.model(modelId).feePerInference;
        uint256 registryBefore = address(registry).balance;
        vm.prank(provider);
        settlement.settle{value: fee}(s);
        ghostForwarded += address(registry).balance - registryBefore;
        ghostRegistryIn += address(registry).balance - registryBefore;
        ghostFees += fee;
        ghostFeesByValue += fee;
        ghostSettlements++;
        _succeeded("settle");
    }

    function settleSigned(uint256 seed, uint256 fee, uint256 nonce) external {
        AttributionSettlement.Settlement memory s = _attribution(seed, fee);
        fee = models.model(modelId).feePerInference;
        uint256 u = seed % users.length;
        address user = users[u];
        if (settlement.nonceUsed(user, nonce)) return;
        if (settlement.prepaid(user) < fee) deposit(u, fee);
        AttributionSettlement.UserRequest memory r = AttributionSettlement.UserRequest({
            user: user,
            modelId: modelId,
            requestHash: s.requestHash,
            maxFee: fee,
            nonce: nonce,
            deadline: block.timestamp + 1 days
        });
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(userKeys[u], settlement.hashInferenceRequest(r));
        bytes memory call = abi.encodeCall(AttributionSettlement.settleSigned, (s, r, abi.encodePacked(rr, ss, v)));
        uint256 registryBefore = address(registry).balance;
        vm.prank(provider);
        (bool ok,) = address(settlement).call(call);
        require(ok, "settleSigned failed");
        ghostForwarded += address(registry).balance - registryBefore;
        ghostRegistryIn += address(registry).balance - registryBefore;
        ghostFees += fee;
        ghostSettlements++;
        _signedCalls.push(call);
        signedUsers.push(user);
        signedNonces.push(nonce);
        _succeeded("settleSigned");
    }

    /// @dev Hostile: replays a successful signed settlement exactly, or with a fresh request hash in both the
    ///      settlement and the request (the signature no longer matches). Must fail.
    function replaySigned(uint256 seed, bool freshHash) external {
        if (_signedCalls.length == 0) return;
        bytes memory call = _signedCalls[seed % _signedCalls.length];
        if (freshHash) {
            (AttributionSettlement.Settlement memory s, AttributionSettlement.UserRequest memory r, bytes memory sig) =
                abi.decode(_slice4(call), (AttributionSettlement.Settlement, AttributionSettlement.UserRequest, bytes));
            bytes32 h = keccak256(abi.encode("replay", ++_requestSalt));
            s.requestHash = h;
            r.requestHash = h;
            call = abi.encodeCall(AttributionSettlement.settleSigned, (s, r, sig));
        }
        vm.prank(provider);
        (bool ok,) = address(settlement).call(call);
        if (ok) violations++;
    }

    // ------------------------------------------------------------ prepaid balances and claims

    function deposit(uint256 userSeed, uint256 amount) public {
        address user = users[userSeed % users.length];
        amount = bound(amount, 1, 100 ether);
        vm.prank(user);
        settlement.deposit{value: amount}();
        ghostPrepaidIn += amount;
        _succeeded("deposit");
    }

    function withdrawPrepaid(uint256 userSeed, uint256 amount) external {
        address user = users[userSeed % users.length];
        uint256 balance = settlement.prepaid(user);
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        uint256 before = user.balance;
        vm.prank(user);
        settlement.withdrawPrepaid(amount);
        if (user.balance != before + amount) violations++;
        ghostPrepaidOut += amount;
        _succeeded("withdrawPrepaid");
    }

    function claimSettlement(uint256 actorSeed) external {
        address a = actors[actorSeed % actors.length];
        uint256 owed = settlement.credits(a);
        if (owed == 0) {
            vm.prank(a);
            try settlement.claim() {
                violations++; // claiming nothing must fail
            } catch {}
            return;
        }
        if (!_pullPaysExactly(a, settlement.claim, owed) || settlement.credits(a) != 0) violations++;
        ghostSettlementClaimed += owed;
        _succeeded("claimSettlement");
    }

    function claimRegistry(uint256 actorSeed) external {
        address a = actors[actorSeed % actors.length];
        uint256 owed = registry.credits(a);
        if (owed == 0) return;
        if (!_pullPaysExactly(a, registry.claim, owed) || registry.credits(a) != 0) violations++;
        ghostRegistryOut += owed;
        _succeeded("claimRegistry");
    }

    function claimRewards(uint256 actorSeed) external {
        address v = validators[actorSeed % validators.length];
        uint256 owed =
            registry.credits(v) + registry.pendingRewards(datanets[0], v) + registry.pendingRewards(datanets[1], v);
        if (owed == 0) return;
        uint256[] memory ids = _bothDataNets();
        uint256 before = v.balance;
        vm.prank(v);
        registry.claimRewards(ids);
        if (v.balance != before + owed) violations++;
        ghostRegistryOut += owed;
        _succeeded("claimRewards");
    }

    function setFeeSplit(uint256 protocolBps, uint256 validatorBps, uint256 ownerBps) external {
        protocolBps = bound(protocolBps, 0, 2_000);
        validatorBps = bound(validatorBps, 0, 3_000);
        uint256 cap = 7_000 - protocolBps - validatorBps;
        ownerBps = bound(ownerBps, 0, cap < 5_000 ? cap : 5_000);
        vm.prank(governance);
        settlement.setFeeSplit(protocolBps, validatorBps, ownerBps);
        _succeeded("setFeeSplit");
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 10 days));
    }

    // ------------------------------------------------------------ helpers

    /// @dev A valid attribution over Accepted contributions of A and B (creating one when there is none), after
    ///      setting the model fee from `fee`.
    function _attribution(uint256 seed, uint256 fee) internal returns (AttributionSettlement.Settlement memory s) {
        if (_accepted[0].length + _accepted[1].length == 0) _acceptOne(seed % 2);
        uint256[] memory pool = new uint256[](_accepted[0].length + _accepted[1].length);
        for (uint256 i = 0; i < _accepted[0].length; ++i) {
            pool[i] = _accepted[0][i];
        }
        for (uint256 i = 0; i < _accepted[1].length; ++i) {
            pool[_accepted[0].length + i] = _accepted[1][i];
        }
        uint256 n = bound(seed >> 16, 1, pool.length < 8 ? pool.length : 8);
        (uint256[] memory ids, uint256[] memory w) = AttributionFixtures.randomAttribution(pool, n, seed);
        uint256[] memory linked = _bothDataNets();
        vm.prank(modelOwner);
        models.updateModel(modelId, bound(fee, 0, 50 ether), linked, "ipfs://m");
        s = AttributionFixtures.settlement(modelId, keccak256(abi.encode("request", ++_requestSalt)), ids, w);
    }

    /// @dev Submits a contribution to DataNet `index` and has every staked validator accept it.
    function _acceptOne(uint256 index) internal {
        uint256 dn = datanets[index];
        if (registry.datanet(dn).totalStake == 0) stake(index, index, 10 ether);
        uint256 id = submit(index, index);
        for (uint256 k = 0; k < validators.length && !registry.isAccepted(id); ++k) {
            address v = validators[k];
            if (registry.validator(dn, v).stake == 0) continue;
            vm.prank(v);
            registry.vote(id, true);
            _succeeded("vote");
        }
        require(registry.isAccepted(id), "not accepted");
        _accepted[index].push(id);
    }

    /// @dev The ids of DataNets A and B (the model links both).
    function _bothDataNets() internal view returns (uint256[] memory ids) {
        ids = new uint256[](2);
        ids[0] = datanets[0];
        ids[1] = datanets[1];
    }

    function _slice4(bytes memory data) internal pure returns (bytes memory out) {
        out = new bytes(data.length - 4);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = data[i + 4];
        }
    }
}
