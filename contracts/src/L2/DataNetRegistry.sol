// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @custom:predeploy 0x4200000000000000000000000000000000000100
/// @title DataNetRegistry
/// @notice DataNets (domain datasets), their staked validators and their contributions (docs/attribution.md).
///
///         - Anyone creates a DataNet and becomes its owner; the owner sets the metadata and the deposit a
///           contribution must carry.
///         - Validators stake native OPEN per DataNet. Active stake weighs votes and earns rewards; unbonding
///           stake does neither and is withdrawable after `unbondDelay`. Governance (`owner()`) may slash
///           active, then unbonding, stake to the treasury.
///         - Contributions are content hashes (keccak256 of the bytes), unique across all DataNets, with a
///           deposit. Validators vote; at `acceptStake * 10000 >= quorumBps * totalStake` the contribution is
///           Accepted and the deposit credited back to the contributor; at the same bar for rejections it is
///           Rejected and the deposit is split among the reject voters by vote weight (dust to the treasury).
///         - Validator rewards (sent by AttributionSettlement, or by anyone) are spread over the active stake
///           with a reward-per-stake accumulator; rounding remainders are carried, so every wei stays owed.
///         - Every payment is a credit claimed with `claim()` (pull payments), except `withdrawUnbonded`,
///           which sends the caller's own stake back.
contract DataNetRegistry is Ownable2Step, ReentrancyGuard {
    /// @notice Life cycle of a contribution. `None` marks an id that does not exist.
    enum ContributionStatus {
        None,
        Pending,
        Accepted,
        Rejected
    }

    /// @notice A validator's vote on a contribution. `None` means it did not vote.
    enum VoteChoice {
        None,
        Accept,
        Reject
    }

    /// @notice Why an account was credited.
    enum CreditKind {
        DepositReturned, // an accepted contribution's deposit, to its contributor (ref: contribution id)
        RejectShare, // a rejected contribution's deposit share, to a reject voter (ref: contribution id)
        RejectDust, // the rounding dust of a rejected deposit, to the treasury (ref: contribution id)
        ValidatorReward, // settled validator rewards (ref: DataNet id)
        UnstakedReward, // a validator reward sent to a DataNet without stake, to the treasury (ref: DataNet id)
        Slash // slashed stake, to the treasury (ref: DataNet id)
    }

    /// @notice A DataNet.
    /// @param owner               Creator; may update metadataURI and contributionDeposit.
    /// @param quorumBps           Share of the active stake (basis points) either side needs to decide.
    /// @param validatorCount      Validators with active stake (at most MAX_VALIDATORS).
    /// @param contributionDeposit Wei a contribution must carry (returned when accepted).
    /// @param totalStake          Sum of the validators' active stake.
    /// @param accRewardPerStake   Rewards per wei of active stake since creation, scaled by REWARD_SCALE.
    /// @param rewardRemainder     Scaled rewards not yet spread (always < totalStake at the last reward).
    /// @param rewardBalance       Wei of rewards given to the validators and not yet settled into credits.
    /// @param contributionCount   Contributions ever submitted.
    /// @param acceptedCount       Contributions accepted.
    /// @param name                Display name (fixed at creation).
    /// @param metadataURI         Off-chain metadata (description, schema, license policy).
    struct DataNet {
        address owner;
        uint16 quorumBps;
        uint32 validatorCount;
        uint256 contributionDeposit;
        uint256 totalStake;
        uint256 accRewardPerStake;
        uint256 rewardRemainder;
        uint256 rewardBalance;
        uint256 contributionCount;
        uint256 acceptedCount;
        string name;
        string metadataURI;
    }

    /// @notice A validator's position in one DataNet.
    /// @param stake         Active stake: votes and earns rewards.
    /// @param unbonding     Stake waiting for `unbondReadyAt`; slashable, earns nothing.
    /// @param unbondReadyAt When `unbonding` becomes withdrawable (each request restarts the delay).
    /// @param rewardDebt    stake × accRewardPerStake at the last settlement (scaled).
    /// @param rewardCarry   Scaled rewards below one wei carried from the last settlement (< REWARD_SCALE).
    struct Validator {
        uint256 stake;
        uint256 unbonding;
        uint256 unbondReadyAt;
        uint256 rewardDebt;
        uint256 rewardCarry;
    }

    /// @notice A contribution. The first slot (datanetId, contributor, status) is what settlement reads.
    /// @param datanetId   The DataNet it was submitted to.
    /// @param contributor The submitter; credited by attribution.
    /// @param status      Pending, Accepted or Rejected.
    /// @param contentHash keccak256 of the content bytes.
    /// @param size        Content size in bytes.
    /// @param deposit     Wei deposited at submission.
    /// @param acceptStake Sum of the accept votes' weights.
    /// @param rejectStake Sum of the reject votes' weights.
    /// @param submittedAt Block timestamp of the submission.
    /// @param uri         Where the content can be fetched.
    /// @param license     License identifier (e.g. an SPDX id).
    struct Contribution {
        uint64 datanetId;
        address contributor;
        ContributionStatus status;
        bytes32 contentHash;
        uint256 size;
        uint256 deposit;
        uint256 acceptStake;
        uint256 rejectStake;
        uint256 submittedAt;
        string uri;
        string license;
    }

    /// @notice A recorded vote.
    /// @param choice Accept or Reject (None when the validator did not vote).
    /// @param weight The voter's active stake when it voted.
    struct Vote {
        VoteChoice choice;
        uint256 weight;
    }

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.1
    string public constant version = "1.0.0-beta.1";

    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Scale of the reward accumulator.
    uint256 public constant REWARD_SCALE = 1e18;
    /// @notice Most validators with active stake per DataNet, and most reject voters per contribution. Bounds
    ///         the loop that pays out a rejected deposit.
    uint256 public constant MAX_VALIDATORS = 100;
    /// @notice Smallest unbonding delay governance may set.
    uint256 public constant MIN_UNBOND_DELAY = 1 hours;
    /// @notice Largest unbonding delay governance may set.
    uint256 public constant MAX_UNBOND_DELAY = 30 days;
    /// @notice Unbonding delay at deployment.
    uint256 public constant DEFAULT_UNBOND_DELAY = 7 days;
    /// @notice Largest minimum stake governance may set.
    uint256 public constant MAX_MIN_STAKE = 1_000_000 ether;
    /// @notice Minimum stake at deployment: 1 OPEN.
    uint256 public constant DEFAULT_MIN_STAKE = 1 ether;

    /// @notice Receives slashed stake, rejected-deposit dust and rewards of DataNets without stake.
    address public treasury;
    /// @notice Seconds between `requestUnbond` and `withdrawUnbonded`.
    uint256 public unbondDelay;
    /// @notice Smallest non-zero active stake a validator may hold after `stake` or `requestUnbond`.
    uint256 public minStake;
    /// @notice Number of DataNets (ids are 1..datanetCount).
    uint256 public datanetCount;
    /// @notice Number of contributions (ids are 1..contributionCount, across all DataNets).
    uint256 public contributionCount;

    /// @notice Claimable wei per account.
    mapping(address => uint256) public credits;
    /// @notice The Pending or Accepted contribution holding a content hash (0 when none; a rejection frees it).
    mapping(bytes32 => uint256) public contributionByHash;

    mapping(uint256 => DataNet) internal _datanets;
    mapping(uint256 => mapping(address => Validator)) internal _validators;
    mapping(uint256 => Contribution) internal _contributions;
    mapping(uint256 => mapping(address => Vote)) internal _votes;
    mapping(uint256 => address[]) internal _rejectVoters;

    /// @notice A DataNet was created.
    /// @param datanetId           Its id.
    /// @param owner               Its owner (the creator).
    /// @param name                Display name.
    /// @param metadataURI         Metadata URI.
    /// @param contributionDeposit Deposit per contribution.
    /// @param quorumBps           Quorum in basis points of the active stake.
    event DataNetCreated(
        uint256 indexed datanetId,
        address indexed owner,
        string name,
        string metadataURI,
        uint256 contributionDeposit,
        uint256 quorumBps
    );

    /// @notice A DataNet's owner updated it.
    /// @param datanetId           The DataNet.
    /// @param metadataURI         The new metadata URI.
    /// @param contributionDeposit The new deposit (applies to later submissions).
    event DataNetUpdated(uint256 indexed datanetId, string metadataURI, uint256 contributionDeposit);

    /// @notice A validator staked (joined or topped up).
    /// @param datanetId The DataNet.
    /// @param validator The validator.
    /// @param amount    Wei added.
    /// @param stake     Its active stake after.
    event Staked(uint256 indexed datanetId, address indexed validator, uint256 amount, uint256 stake);

    /// @notice A validator moved active stake to unbonding.
    /// @param datanetId The DataNet.
    /// @param validator The validator.
    /// @param amount    Wei moved.
    /// @param readyAt   When its whole unbonding balance becomes withdrawable.
    event UnbondRequested(uint256 indexed datanetId, address indexed validator, uint256 amount, uint256 readyAt);

    /// @notice A validator withdrew its unbonded stake.
    /// @param datanetId The DataNet.
    /// @param validator The validator (and recipient).
    /// @param amount    Wei sent.
    event UnbondedWithdrawn(uint256 indexed datanetId, address indexed validator, uint256 amount);

    /// @notice Governance slashed a validator.
    /// @param datanetId     The DataNet.
    /// @param validator     The validator.
    /// @param fromStake     Wei taken from active stake.
    /// @param fromUnbonding Wei taken from unbonding stake.
    /// @param reason        Free-form reason.
    event Slashed(
        uint256 indexed datanetId, address indexed validator, uint256 fromStake, uint256 fromUnbonding, string reason
    );

    /// @notice A contribution was submitted.
    /// @param contributionId Its id.
    /// @param datanetId      The DataNet.
    /// @param contributor    The submitter.
    /// @param contentHash    keccak256 of the content.
    /// @param size           Content size in bytes.
    /// @param deposit        Wei deposited.
    /// @param uri            Content URI.
    /// @param license        License.
    event ContributionSubmitted(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        bytes32 contentHash,
        uint256 size,
        uint256 deposit,
        string uri,
        string license
    );

    /// @notice A validator voted.
    /// @param contributionId The contribution.
    /// @param validator      The voter.
    /// @param accept         True for accept.
    /// @param weight         The voter's active stake.
    event Voted(uint256 indexed contributionId, address indexed validator, bool accept, uint256 weight);

    /// @notice A contribution reached its accept quorum.
    /// @param contributionId The contribution.
    /// @param acceptStake    Accept weight.
    /// @param rejectStake    Reject weight.
    event ContributionAccepted(uint256 indexed contributionId, uint256 acceptStake, uint256 rejectStake);

    /// @notice A contribution reached its reject quorum; its content hash is free again.
    /// @param contributionId The contribution.
    /// @param acceptStake    Accept weight.
    /// @param rejectStake    Reject weight.
    event ContributionRejected(uint256 indexed contributionId, uint256 acceptStake, uint256 rejectStake);

    /// @notice A validator reward was received.
    /// @param datanetId  The DataNet.
    /// @param from       The sender (AttributionSettlement for inference fees).
    /// @param amount     Wei received.
    /// @param toTreasury True when the DataNet had no active stake and the treasury was credited instead.
    event ValidatorRewardReceived(uint256 indexed datanetId, address indexed from, uint256 amount, bool toTreasury);

    /// @notice An account was credited.
    /// @param account The account.
    /// @param kind    Why.
    /// @param ref     A contribution id or a DataNet id, per `kind`.
    /// @param amount  Wei credited.
    event Credited(address indexed account, CreditKind indexed kind, uint256 indexed ref, uint256 amount);

    /// @notice An account claimed its credits.
    /// @param account The account (and recipient).
    /// @param amount  Wei sent.
    event Claimed(address indexed account, uint256 amount);

    /// @notice The treasury changed.
    /// @param previousTreasury The old treasury.
    /// @param newTreasury      The new treasury.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);

    /// @notice The unbonding delay changed (applies to later requests).
    /// @param previousDelay The old delay.
    /// @param newDelay      The new delay.
    event UnbondDelayUpdated(uint256 previousDelay, uint256 newDelay);

    /// @notice The minimum stake changed.
    /// @param previousMinStake The old minimum.
    /// @param newMinStake      The new minimum.
    event MinStakeUpdated(uint256 previousMinStake, uint256 newMinStake);

    /// @notice An address argument is zero.
    error ZeroAddress();
    /// @notice An amount (msg.value or argument) is zero.
    error ZeroAmount();
    /// @notice The DataNet name is empty.
    error EmptyName();
    /// @notice A quorum outside 1..10000.
    /// @param quorumBps The given quorum.
    error InvalidQuorum(uint256 quorumBps);
    /// @notice No DataNet with this id.
    /// @param datanetId The id.
    error DataNetNotFound(uint256 datanetId);
    /// @notice The caller is not the DataNet's owner.
    /// @param datanetId The DataNet.
    /// @param caller    The caller.
    error NotDataNetOwner(uint256 datanetId, address caller);
    /// @notice The DataNet has MAX_VALIDATORS validators with active stake.
    /// @param datanetId The DataNet.
    error ValidatorSetFull(uint256 datanetId);
    /// @notice The resulting non-zero active stake is below minStake.
    /// @param stake    The resulting stake.
    /// @param minStake minStake().
    error StakeBelowMinimum(uint256 stake, uint256 minStake);
    /// @notice Unbonding more than the active stake.
    /// @param stake  The active stake.
    /// @param amount The requested amount.
    error InsufficientStake(uint256 stake, uint256 amount);
    /// @notice Nothing is unbonding.
    error NothingToWithdraw();
    /// @notice The unbonding delay has not passed.
    /// @param readyAt When it will have.
    error UnbondNotReady(uint256 readyAt);
    /// @notice Slashing more than active plus unbonding stake.
    /// @param available Active plus unbonding stake.
    /// @param amount    The requested amount.
    error SlashExceedsStake(uint256 available, uint256 amount);
    /// @notice An unbonding delay outside MIN_UNBOND_DELAY..MAX_UNBOND_DELAY.
    /// @param delay The given delay.
    error InvalidUnbondDelay(uint256 delay);
    /// @notice A minimum stake outside 1..MAX_MIN_STAKE.
    /// @param minStake The given minimum.
    error InvalidMinStake(uint256 minStake);
    /// @notice The content hash is zero.
    error ZeroContentHash();
    /// @notice The content size is zero.
    error ZeroSize();
    /// @notice msg.value is not the DataNet's contribution deposit.
    /// @param expected The deposit.
    /// @param actual   msg.value.
    error IncorrectDeposit(uint256 expected, uint256 actual);
    /// @notice The content hash belongs to a Pending or Accepted contribution.
    /// @param contentHash    The hash.
    /// @param contributionId The contribution holding it.
    error DuplicateContent(bytes32 contentHash, uint256 contributionId);
    /// @notice No contribution with this id.
    /// @param contributionId The id.
    error ContributionNotFound(uint256 contributionId);
    /// @notice The contribution is Accepted or Rejected already.
    /// @param contributionId The contribution.
    /// @param status         Its status.
    error ContributionNotPending(uint256 contributionId, ContributionStatus status);
    /// @notice The caller has no active stake in the contribution's DataNet.
    /// @param datanetId The DataNet.
    /// @param caller    The caller.
    error NotValidator(uint256 datanetId, address caller);
    /// @notice The validator voted on this contribution already.
    /// @param contributionId The contribution.
    /// @param validator      The validator.
    error AlreadyVoted(uint256 contributionId, address validator);
    /// @notice The contribution has MAX_VALIDATORS reject voters already.
    /// @param contributionId The contribution.
    error TooManyRejectVoters(uint256 contributionId);
    /// @notice Neither side has reached the quorum (or the DataNet has no active stake).
    /// @param contributionId The contribution.
    /// @param acceptStake    Accept weight.
    /// @param rejectStake    Reject weight.
    /// @param totalStake     The DataNet's active stake.
    error QuorumNotReached(uint256 contributionId, uint256 acceptStake, uint256 rejectStake, uint256 totalStake);
    /// @notice The account has no credits.
    /// @param account The account.
    error NothingToClaim(address account);
    /// @notice Sending native OPEN failed.
    /// @param to     The recipient.
    /// @param amount The wei.
    error TransferFailed(address to, uint256 amount);

    /// @notice Deploys the registry (a predeploy at genesis).
    /// @param governance The owner (Ownable2Step): slashes and sets the parameters.
    /// @param treasury_  The treasury.
    constructor(address governance, address treasury_) Ownable(governance) {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        unbondDelay = DEFAULT_UNBOND_DELAY;
        minStake = DEFAULT_MIN_STAKE;
        emit TreasuryUpdated(address(0), treasury_);
        emit UnbondDelayUpdated(0, DEFAULT_UNBOND_DELAY);
        emit MinStakeUpdated(0, DEFAULT_MIN_STAKE);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Replaces the treasury. Governance only. Credits already owed stay with the old treasury.
    /// @param newTreasury The new treasury (non-zero).
    function setTreasury(address newTreasury) external onlyOwner {
        if (newTreasury == address(0)) revert ZeroAddress();
        emit TreasuryUpdated(treasury, newTreasury);
        treasury = newTreasury;
    }

    /// @notice Sets the unbonding delay for later requests. Governance only.
    /// @param newDelay Seconds, within MIN_UNBOND_DELAY..MAX_UNBOND_DELAY.
    function setUnbondDelay(uint256 newDelay) external onlyOwner {
        if (newDelay < MIN_UNBOND_DELAY || newDelay > MAX_UNBOND_DELAY) revert InvalidUnbondDelay(newDelay);
        emit UnbondDelayUpdated(unbondDelay, newDelay);
        unbondDelay = newDelay;
    }

    /// @notice Sets the minimum stake. Governance only. Positions below it stay valid; they can only grow to
    ///         it or unbond fully.
    /// @param newMinStake Wei, within 1..MAX_MIN_STAKE.
    function setMinStake(uint256 newMinStake) external onlyOwner {
        if (newMinStake == 0 || newMinStake > MAX_MIN_STAKE) revert InvalidMinStake(newMinStake);
        emit MinStakeUpdated(minStake, newMinStake);
        minStake = newMinStake;
    }

    /// @notice Slashes a validator: active stake first, then unbonding stake, to the treasury's credit. Its
    ///         rewards earned so far are settled to it first. Governance only.
    /// @param datanetId The DataNet.
    /// @param account   The validator.
    /// @param amount    Wei to take (1..active + unbonding).
    /// @param reason    Free-form reason, logged.
    function slash(uint256 datanetId, address account, uint256 amount, string calldata reason) external onlyOwner {
        DataNet storage d = _datanet(datanetId);
        Validator storage v = _validators[datanetId][account];
        if (amount == 0) revert ZeroAmount();
        uint256 active = v.stake;
        uint256 available = active + v.unbonding;
        if (amount > available) revert SlashExceedsStake(available, amount);

        _settleRewards(d, v, datanetId, account);
        uint256 fromStake = amount < active ? amount : active;
        uint256 fromUnbonding = amount - fromStake;
        if (fromStake != 0) {
            uint256 remaining = active - fromStake;
            v.stake = remaining;
            d.totalStake -= fromStake;
            if (remaining == 0) d.validatorCount -= 1;
            v.rewardDebt = remaining * d.accRewardPerStake;
        }
        if (fromUnbonding != 0) {
            uint256 left = v.unbonding - fromUnbonding;
            v.unbonding = left;
            if (left == 0) v.unbondReadyAt = 0;
        }
        emit Slashed(datanetId, account, fromStake, fromUnbonding, reason);
        _credit(treasury, amount, CreditKind.Slash, datanetId);
    }

    // ---------------------------------------------------------------- DataNets

    /// @notice Creates a DataNet owned by the caller.
    /// @param name                Display name (non-empty).
    /// @param metadataURI         Metadata URI.
    /// @param contributionDeposit Wei each contribution must carry (may be zero).
    /// @param quorumBps           Quorum, 1..10000 basis points of the active stake.
    /// @return datanetId The new DataNet's id (from 1).
    function createDataNet(
        string calldata name,
        string calldata metadataURI,
        uint256 contributionDeposit,
        uint256 quorumBps
    ) external returns (uint256 datanetId) {
        if (bytes(name).length == 0) revert EmptyName();
        if (quorumBps == 0 || quorumBps > BPS) revert InvalidQuorum(quorumBps);
        datanetId = ++datanetCount;
        DataNet storage d = _datanets[datanetId];
        d.owner = msg.sender;
        // forge-lint: disable-next-line(unsafe-typecast)
        d.quorumBps = uint16(quorumBps); // <= 10000
        d.contributionDeposit = contributionDeposit;
        d.name = name;
        d.metadataURI = metadataURI;
        emit DataNetCreated(datanetId, msg.sender, name, metadataURI, contributionDeposit, quorumBps);
    }

    /// @notice Updates a DataNet's metadata and deposit. DataNet owner only.
    /// @param datanetId           The DataNet.
    /// @param metadataURI         The new metadata URI.
    /// @param contributionDeposit The new deposit; contributions already submitted keep theirs.
    function updateDataNet(uint256 datanetId, string calldata metadataURI, uint256 contributionDeposit) external {
        DataNet storage d = _datanet(datanetId);
        if (msg.sender != d.owner) revert NotDataNetOwner(datanetId, msg.sender);
        d.metadataURI = metadataURI;
        d.contributionDeposit = contributionDeposit;
        emit DataNetUpdated(datanetId, metadataURI, contributionDeposit);
    }

    // ---------------------------------------------------------------- staking

    /// @notice Stakes msg.value in a DataNet as a validator (joins or tops up). Pending rewards are settled
    ///         to the caller's credits first.
    /// @param datanetId The DataNet.
    function stake(uint256 datanetId) external payable {
        DataNet storage d = _datanet(datanetId);
        if (msg.value == 0) revert ZeroAmount();
        Validator storage v = _validators[datanetId][msg.sender];
        uint256 current = v.stake;
        uint256 updated = current + msg.value;
        if (updated < minStake) revert StakeBelowMinimum(updated, minStake);
        if (current == 0) {
            if (d.validatorCount >= MAX_VALIDATORS) revert ValidatorSetFull(datanetId);
            d.validatorCount += 1;
        }
        _settleRewards(d, v, datanetId, msg.sender);
        v.stake = updated;
        d.totalStake += msg.value;
        v.rewardDebt = updated * d.accRewardPerStake;
        emit Staked(datanetId, msg.sender, msg.value, updated);
    }

    /// @notice Moves active stake to unbonding: it stops weighing votes and earning rewards at once and is
    ///         withdrawable `unbondDelay` seconds from now. The delay restarts for the caller's whole unbonding
    ///         balance. Pending rewards are settled to the caller's credits first.
    /// @param datanetId The DataNet.
    /// @param amount    Wei to unbond; the stake left must be zero or at least minStake.
    function requestUnbond(uint256 datanetId, uint256 amount) external {
        DataNet storage d = _datanet(datanetId);
        if (amount == 0) revert ZeroAmount();
        Validator storage v = _validators[datanetId][msg.sender];
        uint256 current = v.stake;
        if (amount > current) revert InsufficientStake(current, amount);
        uint256 remaining = current - amount;
        if (remaining != 0 && remaining < minStake) revert StakeBelowMinimum(remaining, minStake);

        _settleRewards(d, v, datanetId, msg.sender);
        v.stake = remaining;
        d.totalStake -= amount;
        if (remaining == 0) d.validatorCount -= 1;
        v.rewardDebt = remaining * d.accRewardPerStake;
        v.unbonding += amount;
        uint256 readyAt = block.timestamp + unbondDelay;
        v.unbondReadyAt = readyAt;
        emit UnbondRequested(datanetId, msg.sender, amount, readyAt);
    }

    /// @notice Sends the caller its whole unbonding balance once its delay has passed.
    /// @param datanetId The DataNet.
    function withdrawUnbonded(uint256 datanetId) external nonReentrant {
        _datanet(datanetId);
        Validator storage v = _validators[datanetId][msg.sender];
        uint256 amount = v.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        uint256 readyAt = v.unbondReadyAt;
        if (block.timestamp < readyAt) revert UnbondNotReady(readyAt);
        v.unbonding = 0;
        v.unbondReadyAt = 0;
        emit UnbondedWithdrawn(datanetId, msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ---------------------------------------------------------------- contributions

    /// @notice Submits a contribution to a DataNet with exactly its contribution deposit.
    /// @param datanetId   The DataNet.
    /// @param contentHash keccak256 of the content bytes; unique across all DataNets.
    /// @param size        Content size in bytes (non-zero).
    /// @param uri         Where the content can be fetched.
    /// @param license     License identifier.
    /// @return contributionId The new contribution's id (from 1, global).
    function submitContribution(
        uint256 datanetId,
        bytes32 contentHash,
        uint256 size,
        string calldata uri,
        string calldata license
    ) external payable returns (uint256 contributionId) {
        DataNet storage d = _datanet(datanetId);
        if (contentHash == bytes32(0)) revert ZeroContentHash();
        if (size == 0) revert ZeroSize();
        if (msg.value != d.contributionDeposit) revert IncorrectDeposit(d.contributionDeposit, msg.value);
        uint256 existing = contributionByHash[contentHash];
        if (existing != 0) revert DuplicateContent(contentHash, existing);

        contributionId = ++contributionCount;
        contributionByHash[contentHash] = contributionId;
        d.contributionCount += 1;
        Contribution storage c = _contributions[contributionId];
        // forge-lint: disable-next-line(unsafe-typecast)
        c.datanetId = uint64(datanetId); // <= datanetCount
        c.contributor = msg.sender;
        c.status = ContributionStatus.Pending;
        c.contentHash = contentHash;
        c.size = size;
        c.deposit = msg.value;
        c.submittedAt = block.timestamp;
        c.uri = uri;
        c.license = license;
        emit ContributionSubmitted(contributionId, datanetId, msg.sender, contentHash, size, msg.value, uri, license);
    }

    /// @notice Votes on a Pending contribution with the caller's active stake in its DataNet, once. Decides
    ///         the contribution when a side reaches the quorum (see the contract notice).
    /// @param contributionId The contribution.
    /// @param accept         True to accept, false to reject.
    function vote(uint256 contributionId, bool accept) external {
        Contribution storage c = _pending(contributionId);
        uint256 datanetId = c.datanetId;
        uint256 weight = _validators[datanetId][msg.sender].stake;
        if (weight == 0) revert NotValidator(datanetId, msg.sender);
        Vote storage record = _votes[contributionId][msg.sender];
        if (record.choice != VoteChoice.None) revert AlreadyVoted(contributionId, msg.sender);

        record.weight = weight;
        if (accept) {
            record.choice = VoteChoice.Accept;
            c.acceptStake += weight;
        } else {
            address[] storage voters = _rejectVoters[contributionId];
            if (voters.length >= MAX_VALIDATORS) revert TooManyRejectVoters(contributionId);
            record.choice = VoteChoice.Reject;
            voters.push(msg.sender);
            c.rejectStake += weight;
        }
        emit Voted(contributionId, msg.sender, accept, weight);
        _decide(contributionId, c, _datanets[datanetId]);
    }

    /// @notice Decides a Pending contribution whose votes reach the quorum of the current active stake (after
    ///         validators left, say). Anyone.
    /// @param contributionId The contribution.
    function finalize(uint256 contributionId) external {
        Contribution storage c = _pending(contributionId);
        DataNet storage d = _datanets[c.datanetId];
        if (!_decide(contributionId, c, d)) {
            revert QuorumNotReached(contributionId, c.acceptStake, c.rejectStake, d.totalStake);
        }
    }

    // ---------------------------------------------------------------- rewards and credits

    /// @notice Adds msg.value to a DataNet's validator rewards, spread over its active stake; with no active
    ///         stake the treasury is credited instead. AttributionSettlement calls it for every inference;
    ///         anyone may.
    /// @param datanetId The DataNet.
    function distributeValidatorReward(uint256 datanetId) external payable {
        DataNet storage d = _datanet(datanetId);
        uint256 amount = msg.value;
        if (amount == 0) revert ZeroAmount();
        uint256 total = d.totalStake;
        if (total == 0) {
            emit ValidatorRewardReceived(datanetId, msg.sender, amount, true);
            _credit(treasury, amount, CreditKind.UnstakedReward, datanetId);
            return;
        }
        uint256 scaled = amount * REWARD_SCALE + d.rewardRemainder;
        d.accRewardPerStake += scaled / total;
        d.rewardRemainder = scaled % total;
        d.rewardBalance += amount;
        emit ValidatorRewardReceived(datanetId, msg.sender, amount, false);
    }

    /// @notice Sends the caller all of its credits.
    function claim() external nonReentrant {
        _claim();
    }

    /// @notice Settles the caller's pending validator rewards in the given DataNets into its credits, then
    ///         sends the caller all of its credits.
    /// @param datanetIds DataNets to settle (each must exist).
    function claimRewards(uint256[] calldata datanetIds) external nonReentrant {
        for (uint256 i = 0; i < datanetIds.length; ++i) {
            uint256 datanetId = datanetIds[i];
            DataNet storage d = _datanet(datanetId);
            Validator storage v = _validators[datanetId][msg.sender];
            _settleRewards(d, v, datanetId, msg.sender);
        }
        _claim();
    }

    // ---------------------------------------------------------------- views

    /// @notice A DataNet; reverts with DataNetNotFound when it does not exist.
    /// @param datanetId The DataNet.
    /// @return The DataNet.
    function datanet(uint256 datanetId) external view returns (DataNet memory) {
        return _datanet(datanetId);
    }

    /// @notice Whether a DataNet exists.
    /// @param datanetId The id.
    /// @return True when 1 <= datanetId <= datanetCount.
    function datanetExists(uint256 datanetId) external view returns (bool) {
        return _datanets[datanetId].owner != address(0);
    }

    /// @notice A validator's position in a DataNet (all zero when it never staked).
    /// @param datanetId The DataNet.
    /// @param account   The validator.
    /// @return The position.
    function validator(uint256 datanetId, address account) external view returns (Validator memory) {
        return _validators[datanetId][account];
    }

    /// @notice Wei of rewards a validator has earned in a DataNet and not yet settled into its credits.
    /// @param datanetId The DataNet.
    /// @param account   The validator.
    /// @return The wei.
    function pendingRewards(uint256 datanetId, address account) external view returns (uint256) {
        Validator storage v = _validators[datanetId][account];
        return (v.stake * _datanets[datanetId].accRewardPerStake - v.rewardDebt + v.rewardCarry) / REWARD_SCALE;
    }

    /// @notice A contribution; reverts with ContributionNotFound when it does not exist.
    /// @param contributionId The contribution.
    /// @return The contribution.
    function contribution(uint256 contributionId) external view returns (Contribution memory) {
        Contribution storage c = _contributions[contributionId];
        if (c.status == ContributionStatus.None) revert ContributionNotFound(contributionId);
        return c;
    }

    /// @notice Whether a contribution exists and is Accepted.
    /// @param contributionId The contribution.
    /// @return True when Accepted.
    function isAccepted(uint256 contributionId) external view returns (bool) {
        return _contributions[contributionId].status == ContributionStatus.Accepted;
    }

    /// @notice The contributor and DataNet of each contribution, for settlement: both are zero for an id that
    ///         is not Accepted.
    /// @param contributionIds The contributions.
    /// @return contributors The contributors (address(0) when not Accepted).
    /// @return datanetIds   The DataNets (0 when not Accepted).
    function acceptedContributors(uint256[] calldata contributionIds)
        external
        view
        returns (address[] memory contributors, uint256[] memory datanetIds)
    {
        uint256 n = contributionIds.length;
        contributors = new address[](n);
        datanetIds = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            Contribution storage c = _contributions[contributionIds[i]];
            if (c.status == ContributionStatus.Accepted) {
                contributors[i] = c.contributor;
                datanetIds[i] = c.datanetId;
            }
        }
    }

    /// @notice A validator's vote on a contribution.
    /// @param contributionId The contribution.
    /// @param account        The validator.
    /// @return The vote (choice None when it did not vote).
    function voteOf(uint256 contributionId, address account) external view returns (Vote memory) {
        return _votes[contributionId][account];
    }

    /// @notice The validators that voted to reject a contribution, in vote order.
    /// @param contributionId The contribution.
    /// @return The voters.
    function rejectVoters(uint256 contributionId) external view returns (address[] memory) {
        return _rejectVoters[contributionId];
    }

    // ---------------------------------------------------------------- internals

    function _datanet(uint256 datanetId) internal view returns (DataNet storage d) {
        d = _datanets[datanetId];
        if (d.owner == address(0)) revert DataNetNotFound(datanetId);
    }

    function _pending(uint256 contributionId) internal view returns (Contribution storage c) {
        c = _contributions[contributionId];
        ContributionStatus status = c.status;
        if (status == ContributionStatus.None) revert ContributionNotFound(contributionId);
        if (status != ContributionStatus.Pending) revert ContributionNotPending(contributionId, status);
    }

    /// @dev Accepts or rejects `c` when a side reaches the quorum of the current active stake; returns whether
    ///      it did. Accept is checked first (it can only tie with reject when the quorum is <= 50%).
    function _decide(uint256 contributionId, Contribution storage c, DataNet storage d) internal returns (bool) {
        uint256 total = d.totalStake;
        if (total == 0) return false;
        uint256 threshold = uint256(d.quorumBps) * total;
        uint256 acceptStake = c.acceptStake;
        uint256 rejectStake = c.rejectStake;
        if (acceptStake * BPS >= threshold) {
            c.status = ContributionStatus.Accepted;
            d.acceptedCount += 1;
            emit ContributionAccepted(contributionId, acceptStake, rejectStake);
            _credit(c.contributor, c.deposit, CreditKind.DepositReturned, contributionId);
            return true;
        }
        if (rejectStake * BPS >= threshold) {
            c.status = ContributionStatus.Rejected;
            delete contributionByHash[c.contentHash];
            emit ContributionRejected(contributionId, acceptStake, rejectStake);
            // rejectStake > 0 here: threshold > 0 because quorumBps >= 1 and total > 0.
            _splitRejectedDeposit(contributionId, c.deposit, rejectStake);
            return true;
        }
        return false;
    }

    /// @dev Credits each reject voter `deposit × weight / rejectStake` and the treasury the rounding dust.
    function _splitRejectedDeposit(uint256 contributionId, uint256 deposit, uint256 rejectStake) internal {
        if (deposit == 0) return;
        address[] storage voters = _rejectVoters[contributionId];
        uint256 paid;
        for (uint256 i = 0; i < voters.length; ++i) {
            address voter = voters[i];
            uint256 share = deposit * _votes[contributionId][voter].weight / rejectStake;
            paid += share;
            _credit(voter, share, CreditKind.RejectShare, contributionId);
        }
        _credit(treasury, deposit - paid, CreditKind.RejectDust, contributionId);
    }

    /// @dev Moves a validator's earned rewards (whole wei) into its credits, carries the sub-wei rest, and
    ///      sets its debt to stake × accumulator. Callers changing the stake set the debt again afterwards.
    function _settleRewards(DataNet storage d, Validator storage v, uint256 datanetId, address account) internal {
        uint256 acc = d.accRewardPerStake;
        uint256 owedScaled = v.stake * acc;
        uint256 accrued = owedScaled - v.rewardDebt + v.rewardCarry;
        if (accrued == 0) return;
        uint256 amount = accrued / REWARD_SCALE;
        v.rewardCarry = accrued % REWARD_SCALE;
        v.rewardDebt = owedScaled;
        if (amount != 0) {
            d.rewardBalance -= amount;
            _credit(account, amount, CreditKind.ValidatorReward, datanetId);
        }
    }

    function _credit(address account, uint256 amount, CreditKind kind, uint256 ref) internal {
        if (amount == 0) return;
        credits[account] += amount;
        emit Credited(account, kind, ref, amount);
    }

    function _claim() internal {
        uint256 amount = credits[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        credits[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
