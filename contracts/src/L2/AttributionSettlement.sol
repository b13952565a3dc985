// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {DataNetRegistry} from "./DataNetRegistry.sol";
import {ModelRegistry} from "./ModelRegistry.sol";

/// @custom:predeploy 0x4200000000000000000000000000000000000102
/// @title AttributionSettlement
/// @notice Settles paid inferences with their attribution (docs/attribution.md). An authorised provider of a
///         model posts, per inference, the request, output and evidence hashes and the Accepted contributions
///         that shaped the output with weights summing to 10,000 bps. The model's fee (paid with the call, or
///         taken from the user's prepaid balance under the user's EIP-712 signature) is split in the same
///         call:
///
///             modelOwner  = fee × modelOwnerBps / 10000
///             validators  = fee × validatorBps / 10000        (split over DataNets by contribution weight,
///                                                               each part to DataNetRegistry)
///             contributors: pool = fee − modelOwner − validators − fee × protocolBps / 10000
///                           contribution i gets pool × weight_i / 10000
///             treasury    = fee − modelOwner − Σ validator parts − Σ contributor shares
///                         = fee × protocolBps / 10000 + rounding dust
///
///         so every wei of the fee is credited or forwarded. Credits are claimed with `claim()`.
contract AttributionSettlement is Ownable2Step, EIP712, ReentrancyGuard {
    /// @notice Whose share a credit is.
    enum CreditKind {
        Protocol, // the treasury: protocol share plus rounding dust (ref: 0)
        ModelOwner, // the model's owner (ref: model id)
        Contributor // a contributor (ref: contribution id)
    }

    /// @notice One inference and its attribution.
    /// @param modelId       The model that served it (active).
    /// @param requestHash   Hash of the user's request (non-zero, settled once).
    /// @param outputHash    Hash of the output.
    /// @param evidenceHash  keccak256 of the attribution evidence bytes the gateway serves.
    /// @param contributions Accepted contribution ids in DataNets linked to the model: 1..MAX_CONTRIBUTIONS,
    ///                      distinct.
    /// @param weightsBps    One weight per contribution, each 1..10000, summing to 10000.
    struct Settlement {
        uint256 modelId;
        bytes32 requestHash;
        bytes32 outputHash;
        bytes32 evidenceHash;
        uint256[] contributions;
        uint256[] weightsBps;
    }

    /// @notice A user's signed permission to charge its prepaid balance for one inference. The signed EIP-712
    ///         struct is `InferenceRequest(uint256 modelId,bytes32 requestHash,uint256 maxFee,uint256 nonce,
    ///         uint256 deadline)`; `user` is the signer (an EOA, or an ERC-1271 wallet).
    /// @param user        The signer and payer.
    /// @param modelId     Must equal the settlement's modelId.
    /// @param requestHash Must equal the settlement's requestHash.
    /// @param maxFee      Highest fee the user accepts.
    /// @param nonce       Unordered per-user nonce, usable once.
    /// @param deadline    Last timestamp the request may settle at.
    struct UserRequest {
        address user;
        uint256 modelId;
        bytes32 requestHash;
        uint256 maxFee;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice The fee split and the treasury, packed into one slot (read once per settlement).
    /// @param treasury       Receives the protocol share and the rounding dust.
    /// @param protocolBps    Protocol share.
    /// @param validatorBps   Validator share.
    /// @param modelOwnerBps  Model-owner share.
    struct FeeConfig {
        address treasury;
        uint16 protocolBps;
        uint16 validatorBps;
        uint16 modelOwnerBps;
    }

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice EIP-712 type hash of InferenceRequest.
    bytes32 public constant INFERENCE_REQUEST_TYPEHASH = keccak256(
        "InferenceRequest(uint256 modelId,bytes32 requestHash,uint256 maxFee,uint256 nonce,uint256 deadline)"
    );
    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Most contributions one settlement may credit.
    uint256 public constant MAX_CONTRIBUTIONS = 32;
    /// @notice Cap on the protocol share (20%).
    uint256 public constant MAX_PROTOCOL_BPS = 2_000;
    /// @notice Cap on the validator share (30%).
    uint256 public constant MAX_VALIDATOR_BPS = 3_000;
    /// @notice Cap on the model-owner share (50%).
    uint256 public constant MAX_MODEL_OWNER_BPS = 5_000;
    /// @notice Floor on the contributor share (30%): protocol + validators + model owner <= 70%.
    uint256 public constant MIN_CONTRIBUTOR_BPS = 3_000;
    /// @notice Protocol share at deployment (5%).
    uint256 public constant DEFAULT_PROTOCOL_BPS = 500;
    /// @notice Validator share at deployment (10%).
    uint256 public constant DEFAULT_VALIDATOR_BPS = 1_000;
    /// @notice Model-owner share at deployment (30%); contributors get the remaining 55%.
    uint256 public constant DEFAULT_MODEL_OWNER_BPS = 3_000;

    /// @notice The DataNet registry: contributions, and the validator reward pools.
    DataNetRegistry public immutable datanetRegistry;
    /// @notice The model registry: fees, owners, providers, linked DataNets.
    ModelRegistry public immutable modelRegistry;

    FeeConfig internal _fees;

    /// @notice Number of settled inferences (ids are 1..inferenceCount).
    uint256 public inferenceCount;
    /// @notice Claimable wei per account.
    mapping(address => uint256) public credits;
    /// @notice Prepaid wei per user, spent by settleSigned.
    mapping(address => uint256) public prepaid;
    /// @notice The inference that settled a request hash (0 when none).
    mapping(bytes32 => uint256) public inferenceOfRequest;

    mapping(address => mapping(uint256 => uint256)) internal _nonceBitmap;

    /// @notice An inference was settled.
    /// @param inferenceId  Its id (from 1).
    /// @param modelId      The model.
    /// @param requestHash  The request hash.
    /// @param outputHash   The output hash.
    /// @param evidenceHash The evidence hash.
    /// @param fee          The fee charged.
    /// @param provider     The provider that settled it.
    /// @param payer        Who paid: the provider (settle) or the user (settleSigned).
    event InferenceSettled(
        uint256 indexed inferenceId,
        uint256 indexed modelId,
        bytes32 requestHash,
        bytes32 outputHash,
        bytes32 evidenceHash,
        uint256 fee,
        address provider,
        address indexed payer
    );

    /// @notice An account was credited part of an inference fee.
    /// @param account     The account.
    /// @param inferenceId The inference.
    /// @param kind        Whose share.
    /// @param ref         Contribution id (Contributor), model id (ModelOwner) or 0 (Protocol).
    /// @param amount      Wei credited.
    event Credited(
        address indexed account, uint256 indexed inferenceId, CreditKind indexed kind, uint256 ref, uint256 amount
    );

    /// @notice A DataNet's validator part of an inference fee was sent to DataNetRegistry.
    /// @param inferenceId The inference.
    /// @param datanetId   The DataNet.
    /// @param amount      Wei sent.
    event ValidatorRewardSent(uint256 indexed inferenceId, uint256 indexed datanetId, uint256 amount);

    /// @notice An account claimed its credits.
    /// @param account The account (and recipient).
    /// @param amount  Wei sent.
    event Claimed(address indexed account, uint256 amount);

    /// @notice Prepaid balance was deposited.
    /// @param from   The sender.
    /// @param user   The credited user.
    /// @param amount Wei.
    event PrepaidDeposited(address indexed from, address indexed user, uint256 amount);

    /// @notice Prepaid balance was withdrawn.
    /// @param user   The user (and recipient).
    /// @param amount Wei.
    event PrepaidWithdrawn(address indexed user, uint256 amount);

    /// @notice A user cancelled a nonce (its signed requests can no longer settle).
    /// @param user  The user.
    /// @param nonce The nonce.
    event NonceCancelled(address indexed user, uint256 nonce);

    /// @notice The fee split changed.
    /// @param protocolBps    Protocol share.
    /// @param validatorBps   Validator share.
    /// @param modelOwnerBps  Model-owner share.
    /// @param contributorBps Contributor share (the rest).
    event FeeSplitUpdated(uint256 protocolBps, uint256 validatorBps, uint256 modelOwnerBps, uint256 contributorBps);

    /// @notice The treasury changed.
    /// @param previousTreasury The old treasury.
    /// @param newTreasury      The new treasury.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);

    /// @notice An address argument is zero.
    error ZeroAddress();
    /// @notice An amount is zero.
    error ZeroAmount();
    /// @notice A fee split outside the caps.
    /// @param protocolBps   Protocol share.
    /// @param validatorBps  Validator share.
    /// @param modelOwnerBps Model-owner share.
    error FeeSplitOutOfBounds(uint256 protocolBps, uint256 validatorBps, uint256 modelOwnerBps);
    /// @notice No model with this id.
    /// @param modelId The id.
    error ModelNotFound(uint256 modelId);
    /// @notice The model is retired.
    /// @param modelId The model.
    error ModelNotActive(uint256 modelId);
    /// @notice The caller is not an authorised provider of the model.
    /// @param modelId The model.
    /// @param caller  The caller.
    error UnauthorizedProvider(uint256 modelId, address caller);
    /// @notice msg.value is not the model's fee.
    /// @param expected The fee.
    /// @param actual   msg.value.
    error IncorrectFee(uint256 expected, uint256 actual);
    /// @notice The request hash is zero.
    error ZeroRequestHash();
    /// @notice The request hash was settled already.
    /// @param requestHash The hash.
    /// @param inferenceId The inference that settled it.
    error RequestAlreadySettled(bytes32 requestHash, uint256 inferenceId);
    /// @notice Zero or more than MAX_CONTRIBUTIONS contributions.
    /// @param count The count.
    /// @param max   MAX_CONTRIBUTIONS.
    error InvalidContributionCount(uint256 count, uint256 max);
    /// @notice contributions and weightsBps differ in length.
    /// @param contributions Length of contributions.
    /// @param weights       Length of weightsBps.
    error LengthMismatch(uint256 contributions, uint256 weights);
    /// @notice A weight outside 1..10000.
    /// @param contributionId The contribution.
    /// @param weight         Its weight.
    error InvalidWeight(uint256 contributionId, uint256 weight);
    /// @notice The weights do not sum to 10000.
    /// @param total Their sum.
    error WeightsDoNotSum(uint256 total);
    /// @notice A contribution appears twice.
    /// @param contributionId The contribution.
    error DuplicateContribution(uint256 contributionId);
    /// @notice A contribution does not exist or is not Accepted.
    /// @param contributionId The contribution.
    error ContributionNotAccepted(uint256 contributionId);
    /// @notice A contribution's DataNet is not linked to the model.
    /// @param modelId   The model.
    /// @param datanetId The DataNet.
    error DataNetNotLinked(uint256 modelId, uint256 datanetId);
    /// @notice The user request's model or request hash differs from the settlement's.
    error RequestMismatch();
    /// @notice The user request's deadline has passed.
    /// @param deadline The deadline.
    error RequestExpired(uint256 deadline);
    /// @notice The user's nonce was used or cancelled.
    /// @param user  The user.
    /// @param nonce The nonce.
    error NonceUsed(address user, uint256 nonce);
    /// @notice The signature is not the user's over the request.
    error InvalidSignature();
    /// @notice The model's fee is above the user's maxFee.
    /// @param fee    The fee.
    /// @param maxFee The user's maximum.
    error FeeAboveMax(uint256 fee, uint256 maxFee);
    /// @notice The user's prepaid balance is below the amount.
    /// @param user    The user.
    /// @param balance Its prepaid balance.
    /// @param amount  The amount needed.
    error InsufficientPrepaid(address user, uint256 balance, uint256 amount);
    /// @notice The account has no credits.
    /// @param account The account.
    error NothingToClaim(address account);
    /// @notice Sending native OPEN failed.
    /// @param to     The recipient.
    /// @param amount The wei.
    error TransferFailed(address to, uint256 amount);

    /// @notice Deploys the settlement contract (a predeploy at genesis).
    /// @param governance       The owner (Ownable2Step): sets the fee split and the treasury.
    /// @param treasury_        The treasury.
    /// @param datanetRegistry_ The DataNet registry.
    /// @param modelRegistry_   The model registry.
    constructor(address governance, address treasury_, DataNetRegistry datanetRegistry_, ModelRegistry modelRegistry_)
        Ownable(governance)
        EIP712("Tributary Attribution", "1")
    {
        if (treasury_ == address(0) || address(datanetRegistry_) == address(0) || address(modelRegistry_) == address(0))
        {
            revert ZeroAddress();
        }
        datanetRegistry = datanetRegistry_;
        modelRegistry = modelRegistry_;
        // forge-lint: disable-start(unsafe-typecast)
        // Constants below 2**16.
        _fees = FeeConfig({
            treasury: treasury_,
            protocolBps: uint16(DEFAULT_PROTOCOL_BPS),
            validatorBps: uint16(DEFAULT_VALIDATOR_BPS),
            modelOwnerBps: uint16(DEFAULT_MODEL_OWNER_BPS)
        });
        // forge-lint: disable-end(unsafe-typecast)
        emit TreasuryUpdated(address(0), treasury_);
        emit FeeSplitUpdated(
            DEFAULT_PROTOCOL_BPS,
            DEFAULT_VALIDATOR_BPS,
            DEFAULT_MODEL_OWNER_BPS,
            BPS - DEFAULT_PROTOCOL_BPS - DEFAULT_VALIDATOR_BPS - DEFAULT_MODEL_OWNER_BPS
        );
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets the fee split. Governance only. Caps: protocol <= MAX_PROTOCOL_BPS, validators <=
    ///         MAX_VALIDATOR_BPS, model owner <= MAX_MODEL_OWNER_BPS, and the contributors' rest >=
    ///         MIN_CONTRIBUTOR_BPS.
    /// @param protocolBps   Protocol share.
    /// @param validatorBps  Validator share.
    /// @param modelOwnerBps Model-owner share.
    function setFeeSplit(uint256 protocolBps, uint256 validatorBps, uint256 modelOwnerBps) external onlyOwner {
        if (
            protocolBps > MAX_PROTOCOL_BPS || validatorBps > MAX_VALIDATOR_BPS || modelOwnerBps > MAX_MODEL_OWNER_BPS
                || protocolBps + validatorBps + modelOwnerBps > BPS - MIN_CONTRIBUTOR_BPS
        ) revert FeeSplitOutOfBounds(protocolBps, validatorBps, modelOwnerBps);
        FeeConfig storage f = _fees;
        // forge-lint: disable-start(unsafe-typecast)
        // Each is capped above at <= 5000.
        f.protocolBps = uint16(protocolBps);
        f.validatorBps = uint16(validatorBps);
        f.modelOwnerBps = uint16(modelOwnerBps);
        // forge-lint: disable-end(unsafe-typecast)
        emit FeeSplitUpdated(protocolBps, validatorBps, modelOwnerBps, BPS - protocolBps - validatorBps - modelOwnerBps);
    }

    /// @notice Replaces the treasury. Governance only. Credits already owed stay with the old treasury.
    /// @param newTreasury The new treasury (non-zero).
    function setTreasury(address newTreasury) external onlyOwner {
        if (newTreasury == address(0)) revert ZeroAddress();
        emit TreasuryUpdated(_fees.treasury, newTreasury);
        _fees.treasury = newTreasury;
    }

    // ---------------------------------------------------------------- prepaid balances

    /// @notice Adds msg.value to the caller's prepaid balance.
    function deposit() external payable {
        _deposit(msg.sender);
    }

    /// @notice Adds msg.value to a user's prepaid balance.
    /// @param user The user (non-zero).
    function depositFor(address user) external payable {
        if (user == address(0)) revert ZeroAddress();
        _deposit(user);
    }

    /// @notice Sends the caller part of its prepaid balance.
    /// @param amount Wei (1..prepaid(caller)).
    function withdrawPrepaid(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = prepaid[msg.sender];
        if (balance < amount) revert InsufficientPrepaid(msg.sender, balance, amount);
        prepaid[msg.sender] = balance - amount;
        emit PrepaidWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Marks one of the caller's nonces used, so requests signed with it can no longer settle.
    /// @param nonce The nonce (unused).
    function cancelNonce(uint256 nonce) external {
        _useNonce(msg.sender, nonce);
        emit NonceCancelled(msg.sender, nonce);
    }

    // ---------------------------------------------------------------- settlement

    /// @notice Settles an inference paid with this call: msg.value must equal the model's fee. Authorised
    ///         providers of the model only.
    /// @param s The settlement.
    /// @return inferenceId The new inference id.
    function settle(Settlement calldata s) external payable returns (uint256 inferenceId) {
        (address modelOwner, uint256 fee) = _terms(s.modelId);
        if (msg.value != fee) revert IncorrectFee(fee, msg.value);
        return _settle(s, fee, modelOwner, msg.sender);
    }

    /// @notice Settles an inference paid from the user's prepaid balance under the user's EIP-712 signature
    ///         of `r`. Authorised providers of the model only.
    /// @param s         The settlement.
    /// @param r         The user's request (modelId and requestHash equal the settlement's).
    /// @param signature The user's signature of hashInferenceRequest(r) (65-byte ECDSA, or ERC-1271).
    /// @return inferenceId The new inference id.
    function settleSigned(Settlement calldata s, UserRequest calldata r, bytes calldata signature)
        external
        returns (uint256 inferenceId)
    {
        if (r.modelId != s.modelId || r.requestHash != s.requestHash) revert RequestMismatch();
        if (block.timestamp > r.deadline) revert RequestExpired(r.deadline);
        address user = r.user;
        _useNonce(user, r.nonce);
        if (!SignatureChecker.isValidSignatureNowCalldata(user, hashInferenceRequest(r), signature)) {
            revert InvalidSignature();
        }
        (address modelOwner, uint256 fee) = _terms(s.modelId);
        if (fee > r.maxFee) revert FeeAboveMax(fee, r.maxFee);
        uint256 balance = prepaid[user];
        if (balance < fee) revert InsufficientPrepaid(user, balance, fee);
        prepaid[user] = balance - fee;
        return _settle(s, fee, modelOwner, user);
    }

    /// @notice Sends the caller all of its credits.
    function claim() external nonReentrant {
        uint256 amount = credits[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        credits[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice The EIP-712 digest a user signs for a request.
    /// @param r The request (`user` is not part of the signed struct; it is the signer).
    /// @return The digest.
    function hashInferenceRequest(UserRequest calldata r) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(INFERENCE_REQUEST_TYPEHASH, r.modelId, r.requestHash, r.maxFee, r.nonce, r.deadline))
        );
    }

    /// @notice The EIP-712 domain separator (name "Tributary Attribution", version "1", this chain, this
    ///         contract).
    /// @return The separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice Whether a user's nonce was used or cancelled.
    /// @param user  The user.
    /// @param nonce The nonce.
    /// @return True when it can no longer be used.
    function nonceUsed(address user, uint256 nonce) external view returns (bool) {
        return _nonceBitmap[user][nonce >> 8] & (uint256(1) << (nonce & 0xff)) != 0;
    }

    /// @notice The treasury.
    /// @return The treasury.
    function treasury() external view returns (address) {
        return _fees.treasury;
    }

    /// @notice The current fee split in basis points.
    /// @return protocolBps    Protocol share.
    /// @return validatorBps   Validator share.
    /// @return modelOwnerBps  Model-owner share.
    /// @return contributorBps Contributor share (the rest).
    function feeSplit()
        external
        view
        returns (uint256 protocolBps, uint256 validatorBps, uint256 modelOwnerBps, uint256 contributorBps)
    {
        FeeConfig memory f = _fees;
        protocolBps = f.protocolBps;
        validatorBps = f.validatorBps;
        modelOwnerBps = f.modelOwnerBps;
        contributorBps = BPS - protocolBps - validatorBps - modelOwnerBps;
    }

    // ---------------------------------------------------------------- internals

    function _deposit(address user) internal {
        if (msg.value == 0) revert ZeroAmount();
        prepaid[user] += msg.value;
        emit PrepaidDeposited(msg.sender, user, msg.value);
    }

    function _useNonce(address user, uint256 nonce) internal {
        uint256 bit = uint256(1) << (nonce & 0xff);
        uint256 word = _nonceBitmap[user][nonce >> 8];
        if (word & bit != 0) revert NonceUsed(user, nonce);
        _nonceBitmap[user][nonce >> 8] = word | bit;
    }

    /// @dev The model's owner and fee; reverts unless the model exists, is active and the caller is authorised.
    function _terms(uint256 modelId) internal view returns (address modelOwner, uint256 fee) {
        bool active;
        bool authorised;
        (modelOwner, fee, active, authorised) = modelRegistry.settlementTerms(modelId, msg.sender);
        if (modelOwner == address(0)) revert ModelNotFound(modelId);
        if (!active) revert ModelNotActive(modelId);
        if (!authorised) revert UnauthorizedProvider(modelId, msg.sender);
    }

    /// @dev Validates the attribution, records the inference and splits the fee (contract notice).
    function _settle(Settlement calldata s, uint256 fee, address modelOwner, address payer)
        internal
        returns (uint256 inferenceId)
    {
        bytes32 requestHash = _checkShape(s);
        (address[] memory contributors, uint256[] memory groupIds, uint256[] memory groupWeights) = _attribution(s);

        inferenceId = ++inferenceCount;
        inferenceOfRequest[requestHash] = inferenceId;
        emit InferenceSettled(inferenceId, s.modelId, requestHash, s.outputHash, s.evidenceHash, fee, msg.sender, payer);

        _split(s, fee, modelOwner, inferenceId, contributors, groupIds, groupWeights);
    }

    /// @dev Credits the model owner, the contributors and the treasury (protocol share plus dust), then sends
    ///      each DataNet its validator part. `groupWeights` is overwritten with the parts.
    function _split(
        Settlement calldata s,
        uint256 fee,
        address modelOwner,
        uint256 inferenceId,
        address[] memory contributors,
        uint256[] memory groupIds,
        uint256[] memory groupWeights
    ) internal {
        FeeConfig memory f = _fees;
        uint256 ownerAmount = fee * f.modelOwnerBps / BPS;
        uint256 validatorAmount = fee * f.validatorBps / BPS;
        uint256 pool = fee - ownerAmount - validatorAmount - fee * f.protocolBps / BPS;
        _credit(modelOwner, ownerAmount, inferenceId, CreditKind.ModelOwner, s.modelId);
        uint256 rest = fee - ownerAmount - _creditContributors(s, contributors, pool, inferenceId);
        uint256[] memory parts = groupWeights;
        for (uint256 g = 0; g < parts.length; ++g) {
            uint256 part = validatorAmount * parts[g] / BPS;
            parts[g] = part;
            rest -= part;
        }
        // The treasury's share: the protocol share plus the rounding dust of every other share.
        _credit(f.treasury, rest, inferenceId, CreditKind.Protocol, 0);
        // Interactions last: DataNetRegistry is a trusted predeploy that calls nothing back.
        for (uint256 g = 0; g < parts.length; ++g) {
            uint256 part = parts[g];
            if (part == 0) continue;
            emit ValidatorRewardSent(inferenceId, groupIds[g], part);
            datanetRegistry.distributeValidatorReward{value: part}(groupIds[g]);
        }
    }

    /// @dev Checks counts, weights, duplicates and the request hash; returns the request hash.
    function _checkShape(Settlement calldata s) internal view returns (bytes32 requestHash) {
        uint256[] calldata ids = s.contributions;
        uint256[] calldata weights = s.weightsBps;
        uint256 n = ids.length;
        if (n == 0 || n > MAX_CONTRIBUTIONS) revert InvalidContributionCount(n, MAX_CONTRIBUTIONS);
        if (weights.length != n) revert LengthMismatch(n, weights.length);
        requestHash = s.requestHash;
        if (requestHash == bytes32(0)) revert ZeroRequestHash();
        uint256 settled = inferenceOfRequest[requestHash];
        if (settled != 0) revert RequestAlreadySettled(requestHash, settled);
        uint256 total;
        for (uint256 i = 0; i < n; ++i) {
            uint256 id = ids[i];
            uint256 w = weights[i];
            if (w == 0 || w > BPS) revert InvalidWeight(id, w);
            total += w;
            for (uint256 j = 0; j < i; ++j) {
                if (ids[j] == id) revert DuplicateContribution(id);
            }
        }
        if (total != BPS) revert WeightsDoNotSum(total);
    }

    /// @dev The contributors, and the distinct DataNets with the weight each carries; reverts unless every
    ///      contribution is Accepted and its DataNet linked to the model (checked once per DataNet).
    function _attribution(Settlement calldata s)
        internal
        view
        returns (address[] memory contributors, uint256[] memory groupIds, uint256[] memory groupWeights)
    {
        uint256[] calldata ids = s.contributions;
        uint256 n = ids.length;
        uint256[] memory datanetIds;
        (contributors, datanetIds) = datanetRegistry.acceptedContributors(ids);
        groupIds = new uint256[](n);
        groupWeights = new uint256[](n);
        uint256 groups;
        for (uint256 i = 0; i < n; ++i) {
            if (contributors[i] == address(0)) revert ContributionNotAccepted(ids[i]);
            uint256 datanetId = datanetIds[i];
            uint256 g = 0;
            while (g < groups && groupIds[g] != datanetId) ++g;
            if (g == groups) {
                if (!modelRegistry.isLinked(s.modelId, datanetId)) revert DataNetNotLinked(s.modelId, datanetId);
                groupIds[g] = datanetId;
                ++groups;
            }
            groupWeights[g] += s.weightsBps[i];
        }
        // Shrink both arrays to the DataNets found (a length decrease only).
        assembly ("memory-safe") {
            mstore(groupIds, groups)
            mstore(groupWeights, groups)
        }
    }

    /// @dev Credits contribution i `pool × weight_i / BPS`; returns the sum credited.
    function _creditContributors(
        Settlement calldata s,
        address[] memory contributors,
        uint256 pool,
        uint256 inferenceId
    ) internal returns (uint256 paid) {
        uint256[] calldata ids = s.contributions;
        uint256[] calldata weights = s.weightsBps;
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 share = pool * weights[i] / BPS;
            paid += share;
            _credit(contributors[i], share, inferenceId, CreditKind.Contributor, ids[i]);
        }
    }

    function _credit(address account, uint256 amount, uint256 inferenceId, CreditKind kind, uint256 ref) internal {
        if (amount == 0) return;
        credits[account] += amount;
        emit Credited(account, inferenceId, kind, ref, amount);
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
