// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";
import {OpenToken} from "./OpenToken.sol";
import {Rollup} from "./Rollup.sol";
import {AddressAliasHelper} from "../libraries/AddressAliasHelper.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {WithdrawalTransaction, OutputRootProof} from "../libraries/Types.sol";

/// @title Portal
/// @notice The L1 entry and exit of Tributary. Deposits lock OPEN (the L2 gas token) and emit OP Stack's
///         TransactionDeposited; withdrawals are proven against an output root of the Rollup with a storage
///         proof of the L2ToL1MessagePasser and release OPEN once the output is finalized.
///         Derivation executes every deposit of an L1 block at the start of one L2 block, so the deposit gas
///         of each L1 block is capped (OP Stack's ResourceMetering, without the fee market): the L2 block gas
///         limit must hold maxDepositGasPerL1Block.
contract Portal is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice A proof of a withdrawal.
    /// @param outputRoot  The output root the withdrawal was proven against.
    /// @param timestamp   L1 timestamp of the proof.
    /// @param outputIndex The Rollup output index.
    struct ProvenWithdrawal {
        bytes32 outputRoot;
        uint128 timestamp;
        uint128 outputIndex;
    }

    /// @notice Gas of the deposits made in one L1 block (packed into one slot).
    /// @param blockNumber The L1 block the deposits were made in.
    /// @param gasUsed     Sum of their gas limits.
    struct DepositGasMeter {
        uint64 blockNumber;
        uint64 gasUsed;
    }

    /// @notice Semantic version.
    /// @custom:semver 1.0.0-beta.2
    string public constant version = "1.0.0-beta.2";

    /// @notice Version of the TransactionDeposited event encoding.
    uint256 public constant DEPOSIT_VERSION = 0;
    /// @notice Largest deposit calldata, in bytes.
    uint256 public constant MAX_DEPOSIT_DATA_SIZE = 120_000;
    /// @notice Intrinsic gas of a deposit before its data.
    uint64 public constant DEPOSIT_BASE_GAS = 21_000;
    /// @notice Minimum gas per byte of deposit data.
    uint64 public constant DEPOSIT_GAS_PER_BYTE = 40;
    /// @notice Gas kept back for the work after a withdrawal call (events, storage).
    uint256 public constant FINALIZE_GAS_BUFFER = 40_000;

    /// @notice The OPEN token.
    OpenToken public immutable token;
    /// @notice The Rollup holding output roots and the pause switch.
    Rollup public immutable rollup;
    /// @notice The largest gas limit of a deposit.
    uint64 public immutable maxDepositGasLimit;
    /// @notice The largest sum of deposit gas limits in one L1 block.
    uint64 public immutable maxDepositGasPerL1Block;

    /// @notice Deposit gas of the latest L1 block that had deposits; see depositGasUsed().
    DepositGasMeter internal _depositGas;

    /// @notice Proofs by withdrawal hash.
    mapping(bytes32 => ProvenWithdrawal) public provenWithdrawals;
    /// @notice Finalized withdrawal hashes.
    mapping(bytes32 => bool) public finalizedWithdrawals;

    /// @notice A deposit (OP Stack's event, version 0).
    /// @param from       The L2 sender (aliased when the L1 caller is a contract).
    /// @param to         The L2 recipient (address(0) for creations).
    /// @param version    DEPOSIT_VERSION.
    /// @param opaqueData abi.encodePacked(mint, value, gasLimit, isCreation, data).
    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);

    /// @notice A withdrawal was proven.
    /// @param withdrawalHash The withdrawal hash.
    /// @param sender         The L2 sender.
    /// @param target         The L1 target.
    event WithdrawalProven(bytes32 indexed withdrawalHash, address indexed sender, address indexed target);

    /// @notice A withdrawal was finalized: its OPEN was released and its call (if any) made.
    /// @param withdrawalHash The withdrawal hash.
    /// @param success        Whether the call succeeded (true when there was no call).
    event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success);

    /// @notice A creation deposit with a non-zero `to`.
    /// @param to The given target.
    error CreationWithTarget(address to);
    /// @notice Deposit data above MAX_DEPOSIT_DATA_SIZE.
    /// @param size The data size.
    /// @param max  MAX_DEPOSIT_DATA_SIZE.
    error DepositDataTooLarge(uint256 size, uint256 max);
    /// @notice Deposit gas limit below 21_000 + 40 * data.length.
    /// @param gasLimit The gas limit.
    /// @param minimum  The minimum for this data.
    error DepositGasLimitTooLow(uint64 gasLimit, uint64 minimum);
    /// @notice Deposit gas limit above maxDepositGasLimit.
    /// @param gasLimit The gas limit.
    /// @param maximum  maxDepositGasLimit.
    error DepositGasLimitTooHigh(uint64 gasLimit, uint64 maximum);
    /// @notice The deposit would take the deposit gas of this L1 block above maxDepositGasPerL1Block.
    /// @param used     Deposit gas already used in this L1 block.
    /// @param gasLimit The deposit's gas limit.
    /// @param max      maxDepositGasPerL1Block.
    error DepositBlockGasExceeded(uint64 used, uint64 gasLimit, uint64 max);
    /// @notice Constructor parameters where one deposit may exceed the per-L1-block cap.
    /// @param maxDepositGasLimit      The largest gas limit of a deposit.
    /// @param maxDepositGasPerL1Block The per-L1-block cap.
    error DepositGasCapBelowLimit(uint64 maxDepositGasLimit, uint64 maxDepositGasPerL1Block);
    /// @notice The Rollup is paused.
    error RollupPaused();
    /// @notice The withdrawal targets the Portal or the OPEN token.
    /// @param target The target.
    error InvalidWithdrawalTarget(address target);
    /// @notice No Rollup output at this index.
    /// @param outputIndex The index.
    error OutputNotFound(uint256 outputIndex);
    /// @notice The output root proof has a version other than 0.
    /// @param version The version.
    error UnsupportedOutputVersion(bytes32 version);
    /// @notice The output root proof does not hash to the Rollup's output root.
    /// @param expected The Rollup's output root.
    /// @param actual   The hash of the proof.
    error OutputRootMismatch(bytes32 expected, bytes32 actual);
    /// @notice The withdrawal is proven against an output that still stands.
    /// @param withdrawalHash The withdrawal hash.
    error WithdrawalAlreadyProven(bytes32 withdrawalHash);
    /// @notice The storage proof does not show `sentMessages[withdrawalHash] == true`.
    /// @param withdrawalHash The withdrawal hash.
    error InvalidWithdrawalProof(bytes32 withdrawalHash);
    /// @notice The withdrawal was finalized already.
    /// @param withdrawalHash The withdrawal hash.
    error WithdrawalAlreadyFinalized(bytes32 withdrawalHash);
    /// @notice The withdrawal was never proven.
    /// @param withdrawalHash The withdrawal hash.
    error WithdrawalNotProven(bytes32 withdrawalHash);
    /// @notice The output the withdrawal was proven against was deleted or replaced; prove again.
    /// @param withdrawalHash The withdrawal hash.
    /// @param outputIndex    The output index of the proof.
    error ProvenOutputInvalidated(bytes32 withdrawalHash, uint256 outputIndex);
    /// @notice The output the withdrawal was proven against is not finalized.
    /// @param outputIndex The output index.
    error OutputNotFinalized(uint256 outputIndex);
    /// @notice Not enough gas left to give the withdrawal call its gasLimit.
    /// @param gasLimit The withdrawal's gasLimit.
    /// @param gasLeft  gasleft() before the call.
    error InsufficientGas(uint256 gasLimit, uint256 gasLeft);

    modifier whenRollupNotPaused() {
        if (rollup.paused()) revert RollupPaused();
        _;
    }

    /// @notice Deploys the Portal.
    /// @param token_                   The OPEN token.
    /// @param rollup_                  The Rollup.
    /// @param maxDepositGasLimit_      The largest gas limit of a deposit.
    /// @param maxDepositGasPerL1Block_ The largest sum of deposit gas limits in one L1 block (at least
    ///                                 maxDepositGasLimit_, so that every valid deposit fits an empty block).
    constructor(OpenToken token_, Rollup rollup_, uint64 maxDepositGasLimit_, uint64 maxDepositGasPerL1Block_) {
        if (maxDepositGasLimit_ > maxDepositGasPerL1Block_) {
            revert DepositGasCapBelowLimit(maxDepositGasLimit_, maxDepositGasPerL1Block_);
        }
        token = token_;
        rollup = rollup_;
        maxDepositGasLimit = maxDepositGasLimit_;
        maxDepositGasPerL1Block = maxDepositGasPerL1Block_;
    }

    /// @notice Deposit gas (sum of gas limits) used so far in the current L1 block.
    /// @return The gas used; 0 in a block without deposits.
    function depositGasUsed() public view returns (uint64) {
        DepositGasMeter memory meter = _depositGas;
        return meter.blockNumber == block.number ? meter.gasUsed : 0;
    }

    // ---------------------------------------------------------------- deposits

    /// @notice Deposits a transaction to L2, locking `mint` OPEN pulled from the caller (needs an allowance).
    /// @param to         L2 recipient; address(0) when `isCreation`.
    /// @param mint       OPEN locked here and minted on L2 to the sender.
    /// @param value      OPEN sent on L2 from the sender to `to`.
    /// @param gasLimit   L2 gas limit, in [21_000 + 40 * data.length, maxDepositGasLimit], and at most
    ///                   maxDepositGasPerL1Block - depositGasUsed().
    /// @param isCreation Whether the L2 transaction creates a contract.
    /// @param data       L2 calldata or init code (at most 120_000 bytes).
    function depositTransaction(
        address to,
        uint256 mint,
        uint256 value,
        uint64 gasLimit,
        bool isCreation,
        bytes calldata data
    ) external nonReentrant {
        _deposit(to, mint, value, gasLimit, isCreation, data);
    }

    /// @notice Like depositTransaction, with an EIP-2612 permit for `mint` OPEN submitted first. A permit
    ///         that fails (e.g. used already by a front-runner) is ignored; the transfer then needs an
    ///         allowance.
    /// @param to         L2 recipient; address(0) when `isCreation`.
    /// @param mint       OPEN locked here and minted on L2 to the sender.
    /// @param value      OPEN sent on L2 from the sender to `to`.
    /// @param gasLimit   L2 gas limit, in [21_000 + 40 * data.length, maxDepositGasLimit], and at most
    ///                   maxDepositGasPerL1Block - depositGasUsed().
    /// @param isCreation Whether the L2 transaction creates a contract.
    /// @param data       L2 calldata or init code (at most 120_000 bytes).
    /// @param deadline   Permit deadline.
    /// @param v          Permit signature v.
    /// @param r          Permit signature r.
    /// @param s          Permit signature s.
    function depositTransactionWithPermit(
        address to,
        uint256 mint,
        uint256 value,
        uint64 gasLimit,
        bool isCreation,
        bytes calldata data,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        try token.permit(msg.sender, address(this), mint, deadline, v, r, s) {} catch {}
        _deposit(to, mint, value, gasLimit, isCreation, data);
    }

    function _deposit(address to, uint256 mint, uint256 value, uint64 gasLimit, bool isCreation, bytes calldata data)
        internal
    {
        if (isCreation && to != address(0)) revert CreationWithTarget(to);
        if (data.length > MAX_DEPOSIT_DATA_SIZE) revert DepositDataTooLarge(data.length, MAX_DEPOSIT_DATA_SIZE);
        uint64 minimum = DEPOSIT_BASE_GAS + DEPOSIT_GAS_PER_BYTE * uint64(data.length);
        if (gasLimit < minimum) revert DepositGasLimitTooLow(gasLimit, minimum);
        if (gasLimit > maxDepositGasLimit) revert DepositGasLimitTooHigh(gasLimit, maxDepositGasLimit);
        _meterDepositGas(gasLimit);

        address from = msg.sender;
        if (msg.sender != tx.origin) from = AddressAliasHelper.applyL1ToL2Alias(msg.sender);

        if (mint > 0) IERC20(address(token)).safeTransferFrom(msg.sender, address(this), mint);

        emit TransactionDeposited(from, to, DEPOSIT_VERSION, abi.encodePacked(mint, value, gasLimit, isCreation, data));
    }

    /// @dev Adds `gasLimit` to the deposit gas of the current L1 block (a new block starts from zero), or
    ///      reverts when that would exceed maxDepositGasPerL1Block.
    function _meterDepositGas(uint64 gasLimit) internal {
        uint64 used = depositGasUsed();
        // used <= maxDepositGasPerL1Block always holds, so neither the subtraction nor the sum below overflows.
        if (gasLimit > maxDepositGasPerL1Block - used) {
            revert DepositBlockGasExceeded(used, gasLimit, maxDepositGasPerL1Block);
        }
        // Block numbers fit in 64 bits for the lifetime of any chain.
        // forge-lint: disable-next-line(unsafe-typecast)
        _depositGas = DepositGasMeter({blockNumber: uint64(block.number), gasUsed: used + gasLimit});
    }

    // ---------------------------------------------------------------- withdrawals

    /// @notice Proves that a withdrawal was initiated on L2, against Rollup output `outputIndex`.
    /// @param wd               The withdrawal.
    /// @param outputIndex      The Rollup output to prove against.
    /// @param proof            The preimage of that output's root.
    /// @param withdrawalProof  Storage proof (trie nodes, root first) of
    ///                         `sentMessages[withdrawalHash] == true` against `proof.messagePasserStorageRoot`.
    function proveWithdrawal(
        WithdrawalTransaction calldata wd,
        uint256 outputIndex,
        OutputRootProof calldata proof,
        bytes[] calldata withdrawalProof
    ) external whenRollupNotPaused {
        if (wd.target == address(this) || wd.target == address(token)) {
            revert InvalidWithdrawalTarget(wd.target);
        }
        if (outputIndex >= rollup.outputCount()) revert OutputNotFound(outputIndex);
        if (proof.version != Hashing.OUTPUT_VERSION_V0) revert UnsupportedOutputVersion(proof.version);

        Rollup.Output memory output = rollup.getOutput(outputIndex);
        bytes32 actual = Hashing.hashOutputRootProof(proof);
        if (actual != output.outputRoot) revert OutputRootMismatch(output.outputRoot, actual);

        bytes32 withdrawalHash = Hashing.hashWithdrawal(wd);
        if (finalizedWithdrawals[withdrawalHash]) revert WithdrawalAlreadyFinalized(withdrawalHash);
        ProvenWithdrawal memory existing = provenWithdrawals[withdrawalHash];
        if (existing.timestamp != 0 && _stillStands(existing)) revert WithdrawalAlreadyProven(withdrawalHash);

        if (!TrieProof.verify(
                hex"01", proof.messagePasserStorageRoot, Hashing.withdrawalTrieKey(withdrawalHash), withdrawalProof
            )) revert InvalidWithdrawalProof(withdrawalHash);

        provenWithdrawals[withdrawalHash] = ProvenWithdrawal({
            outputRoot: output.outputRoot,
            // forge-lint: disable-next-line(unsafe-typecast)
            timestamp: uint128(block.timestamp),
            // forge-lint: disable-next-line(unsafe-typecast)
            outputIndex: uint128(outputIndex) // < rollup.outputCount()
        });
        emit WithdrawalProven(withdrawalHash, wd.sender, wd.target);
    }

    /// @notice Finalizes a proven withdrawal whose output is finalized: releases `value` OPEN to `target`,
    ///         then calls `target` with `data` and `gasLimit` gas if `data` is non-empty. Anyone may call.
    /// @param wd The withdrawal.
    function finalizeWithdrawal(WithdrawalTransaction calldata wd) external whenRollupNotPaused nonReentrant {
        bytes32 withdrawalHash = Hashing.hashWithdrawal(wd);
        if (finalizedWithdrawals[withdrawalHash]) revert WithdrawalAlreadyFinalized(withdrawalHash);
        ProvenWithdrawal memory proven = provenWithdrawals[withdrawalHash];
        if (proven.timestamp == 0) revert WithdrawalNotProven(withdrawalHash);
        if (!_stillStands(proven)) revert ProvenOutputInvalidated(withdrawalHash, proven.outputIndex);
        if (!rollup.isFinalized(proven.outputIndex)) revert OutputNotFinalized(proven.outputIndex);

        finalizedWithdrawals[withdrawalHash] = true;

        if (wd.value > 0) IERC20(address(token)).safeTransfer(wd.target, wd.value);

        bool success = true;
        if (wd.data.length > 0) {
            uint256 gasLimit = wd.gasLimit;
            // Enough gas must remain for the callee to receive `gasLimit` after the 63/64 rule, so that a
            // relayer cannot make the call fail (and the withdrawal finalize) by under-supplying gas.
            if (gasleft() < gasLimit + gasLimit / 63 + FINALIZE_GAS_BUFFER) {
                revert InsufficientGas(gasLimit, gasleft());
            }
            address target = wd.target;
            bytes memory data = wd.data;
            assembly ("memory-safe") {
                // No return data is copied (a large return cannot grief the caller).
                success := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
            }
        }
        emit WithdrawalFinalized(withdrawalHash, success);
    }

    /// @dev Whether the output a proof was made against is still the Rollup's output at that index: it exists,
    ///      has the same root, and was proposed no later than the proof.
    function _stillStands(ProvenWithdrawal memory proven) internal view returns (bool) {
        if (proven.outputIndex >= rollup.outputCount()) return false;
        Rollup.Output memory output = rollup.getOutput(proven.outputIndex);
        return output.outputRoot == proven.outputRoot && output.timestamp <= proven.timestamp;
    }
}
