// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {CommonTest} from "../setup/CommonTest.sol";
import {CallRecorder} from "../mocks/CallRecorder.sol";
import {Portal} from "../../src/L1/Portal.sol";
import {Rollup} from "../../src/L1/Rollup.sol";
import {AddressAliasHelper} from "../../src/libraries/AddressAliasHelper.sol";
import {Hashing} from "../../src/libraries/Hashing.sol";
import {WithdrawalTransaction, OutputRootProof} from "../../src/libraries/Types.sol";

contract Portal_TestInit is CommonTest {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address internal bob;

    function setUp() public virtual override {
        super.setUp();
        bob = makeAddr("bob");
    }

    function _permit(uint256 value, uint256 deadline) internal view returns (uint8 v, bytes32 r, bytes32 s) {
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, alice, address(portal), value, token.nonces(alice), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (v, r, s) = vm.sign(ALICE_PK, digest);
    }
}

contract Portal_Constructor_Test is Portal_TestInit {
    function test_constructor_config_succeeds() external view {
        assertEq(address(portal.token()), address(token));
        assertEq(address(portal.rollup()), address(rollup));
        assertEq(uint256(portal.maxDepositGasLimit()), MAX_DEPOSIT_GAS);
        assertEq(uint256(portal.maxDepositGasPerL1Block()), MAX_DEPOSIT_GAS_PER_L1_BLOCK);
        assertEq(uint256(portal.depositGasUsed()), 0);
        assertEq(portal.version(), "1.0.0-beta.2");
        assertEq(portal.DEPOSIT_VERSION(), 0);
        assertEq(portal.MAX_DEPOSIT_DATA_SIZE(), 120_000);
    }

    function test_constructor_capEqualsLimit_succeeds() external {
        Portal p = new Portal(token, rollup, 21_000, 21_000);
        assertEq(uint256(p.maxDepositGasPerL1Block()), 21_000);
    }

    function test_constructor_capBelowLimit_reverts() external {
        vm.expectRevert(
            abi.encodeWithSelector(Portal.DepositGasCapBelowLimit.selector, uint64(30_000_000), uint64(29_999_999))
        );
        new Portal(token, rollup, 30_000_000, 29_999_999);
    }

    function testFuzz_constructor_capAtLeastLimit_succeeds(uint64 limit, uint64 cap) external {
        if (limit > cap) {
            vm.expectRevert(abi.encodeWithSelector(Portal.DepositGasCapBelowLimit.selector, limit, cap));
            new Portal(token, rollup, limit, cap);
        } else {
            Portal p = new Portal(token, rollup, limit, cap);
            assertEq(uint256(p.maxDepositGasLimit()), limit);
            assertEq(uint256(p.maxDepositGasPerL1Block()), cap);
        }
    }
}

contract Portal_DepositTransaction_Test is Portal_TestInit {
    function setUp() public override {
        super.setUp();
        vm.prank(alice);
        token.approve(address(portal), type(uint256).max);
    }

    function test_depositTransaction_eoa_succeeds() external {
        bytes memory data = hex"c0ffee";
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.TransactionDeposited(
            alice, bob, 0, abi.encodePacked(uint256(5 ether), uint256(1 ether), uint64(50_000), false, data)
        );
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 5 ether, 1 ether, 50_000, false, data);
        assertEq(token.balanceOf(address(portal)), 5 ether);
        assertEq(token.balanceOf(alice), 1_000_000 ether - 5 ether);
    }

    function test_depositTransaction_contractCallerAliased_succeeds() external {
        address wallet = makeAddr("smartWallet");
        vm.prank(treasury);
        token.transfer(wallet, 10 ether);
        vm.prank(wallet);
        token.approve(address(portal), 10 ether);
        address aliased = address(uint160(wallet) + uint160(0x1111000000000000000000000000000000001111));
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.TransactionDeposited(
            aliased, bob, 0, abi.encodePacked(uint256(1 ether), uint256(0), uint64(21_000), false)
        );
        vm.prank(wallet, alice); // msg.sender != tx.origin
        portal.depositTransaction(bob, 1 ether, 0, 21_000, false, "");
        assertEq(token.balanceOf(address(portal)), 1 ether);
    }

    function test_depositTransaction_creation_succeeds() external {
        bytes memory initCode = hex"600a600c600039600a6000f3602a60005260206000f3";
        uint64 gas = 21_000 + 40 * uint64(initCode.length);
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.TransactionDeposited(
            alice, address(0), 0, abi.encodePacked(uint256(0), uint256(0), gas, true, initCode)
        );
        vm.prank(alice, alice);
        portal.depositTransaction(address(0), 0, 0, gas, true, initCode);
        assertEq(token.balanceOf(address(portal)), 0, "no mint, nothing pulled");
    }

    function test_depositTransaction_maxDataAndGas_succeeds() external {
        bytes memory data = new bytes(120_000);
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 1, 0, MAX_DEPOSIT_GAS, false, data);
        assertEq(token.balanceOf(address(portal)), 1);
    }

    function test_depositTransaction_creationWithTarget_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Portal.CreationWithTarget.selector, bob));
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 0, 0, 100_000, true, hex"00");
    }

    function test_depositTransaction_dataTooLarge_reverts() external {
        bytes memory data = new bytes(120_001);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositDataTooLarge.selector, 120_001, 120_000));
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 0, 0, MAX_DEPOSIT_GAS, false, data);
    }

    function test_depositTransaction_gasTooLow_reverts() external {
        bytes memory data = new bytes(10);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositGasLimitTooLow.selector, uint64(21_399), uint64(21_400)));
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 0, 0, 21_399, false, data);
    }

    function test_depositTransaction_gasTooHigh_reverts() external {
        vm.expectRevert(
            abi.encodeWithSelector(Portal.DepositGasLimitTooHigh.selector, MAX_DEPOSIT_GAS + 1, MAX_DEPOSIT_GAS)
        );
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 0, 0, MAX_DEPOSIT_GAS + 1, false, "");
    }

    function test_depositTransaction_noAllowance_reverts() external {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(portal), 0, 1 ether)
        );
        vm.prank(bob, bob);
        portal.depositTransaction(bob, 1 ether, 0, 21_000, false, "");
    }

    function test_depositTransaction_insufficientBalance_reverts() external {
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, alice, 1_000_000 ether, 1_000_001 ether
            )
        );
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 1_000_001 ether, 0, 21_000, false, "");
    }

    function testFuzz_depositTransaction_params_succeeds(
        address to,
        uint256 mint,
        uint256 value,
        uint64 gasLimit,
        uint256 dataSize
    ) external {
        mint = bound(mint, 0, 1_000_000 ether);
        dataSize = bound(dataSize, 0, 2_000);
        bytes memory data = new bytes(dataSize);
        for (uint256 i = 0; i < dataSize; i += 32) {
            data[i] = bytes1(uint8(i));
        }
        uint64 minGas = 21_000 + 40 * uint64(dataSize);
        gasLimit = uint64(bound(gasLimit, minGas, MAX_DEPOSIT_GAS));
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.TransactionDeposited(alice, to, 0, abi.encodePacked(mint, value, gasLimit, false, data));
        vm.prank(alice, alice);
        portal.depositTransaction(to, mint, value, gasLimit, false, data);
        assertEq(token.balanceOf(address(portal)), mint);
    }

    function testFuzz_depositTransaction_gasBelowIntrinsic_reverts(uint64 gasLimit, uint256 dataSize) external {
        dataSize = bound(dataSize, 0, 2_000);
        uint64 minGas = 21_000 + 40 * uint64(dataSize);
        gasLimit = uint64(bound(gasLimit, 0, minGas - 1));
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositGasLimitTooLow.selector, gasLimit, minGas));
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 0, 0, gasLimit, false, new bytes(dataSize));
    }

    function testFuzz_depositTransaction_aliasing_succeeds(address sender) external {
        vm.assume(sender != alice && sender != address(0) && sender != address(portal));
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.TransactionDeposited(
            AddressAliasHelper.applyL1ToL2Alias(sender),
            bob,
            0,
            abi.encodePacked(uint256(0), uint256(0), uint64(21_000), false)
        );
        vm.prank(sender, alice);
        portal.depositTransaction(bob, 0, 0, 21_000, false, "");
    }
}

contract Portal_DepositGasPerL1Block_Test is Portal_TestInit {
    uint64 internal constant SMALL_LIMIT = 100_000;
    uint64 internal constant SMALL_CAP = 500_000;

    /// @dev A Portal with a small cap, so that a handful of deposits fill an L1 block.
    Portal internal small;

    function setUp() public override {
        super.setUp();
        small = new Portal(token, rollup, SMALL_LIMIT, SMALL_CAP);
        vm.startPrank(alice);
        token.approve(address(portal), type(uint256).max);
        token.approve(address(small), type(uint256).max);
        vm.stopPrank();
    }

    function _deposit(Portal p, uint64 gasLimit) internal {
        vm.prank(alice, alice);
        p.depositTransaction(bob, 1, 0, gasLimit, false, "");
    }

    function test_depositTransaction_fillsBlockExactly_succeeds() external {
        for (uint256 i = 0; i < 5; ++i) {
            _deposit(small, SMALL_LIMIT);
        }
        assertEq(uint256(small.depositGasUsed()), SMALL_CAP);
        assertEq(token.balanceOf(address(small)), 5);
    }

    function test_depositTransaction_blockCapExceeded_reverts() external {
        _deposit(portal, MAX_DEPOSIT_GAS);
        _deposit(portal, MAX_DEPOSIT_GAS - 21_000);
        assertEq(uint256(portal.depositGasUsed()), MAX_DEPOSIT_GAS_PER_L1_BLOCK - 21_000);
        vm.expectRevert(
            abi.encodeWithSelector(
                Portal.DepositBlockGasExceeded.selector,
                MAX_DEPOSIT_GAS_PER_L1_BLOCK - 21_000,
                uint64(21_001),
                MAX_DEPOSIT_GAS_PER_L1_BLOCK
            )
        );
        vm.prank(alice, alice);
        portal.depositTransaction(bob, 1, 0, 21_001, false, "");
        // Exactly the rest still fits.
        _deposit(portal, 21_000);
        assertEq(uint256(portal.depositGasUsed()), MAX_DEPOSIT_GAS_PER_L1_BLOCK);
        assertEq(token.balanceOf(address(portal)), 3, "the reverted deposit locked nothing");
    }

    function test_depositTransactionWithPermit_blockCapExceeded_reverts() external {
        for (uint256 i = 0; i < 5; ++i) {
            _deposit(small, SMALL_LIMIT);
        }
        vm.expectRevert(
            abi.encodeWithSelector(Portal.DepositBlockGasExceeded.selector, SMALL_CAP, uint64(21_000), SMALL_CAP)
        );
        vm.prank(alice, alice);
        small.depositTransactionWithPermit(bob, 1, 0, 21_000, false, "", block.timestamp, 0, bytes32(0), bytes32(0));
    }

    function test_depositTransaction_nextBlockResets_succeeds() external {
        for (uint256 i = 0; i < 5; ++i) {
            _deposit(small, SMALL_LIMIT);
        }
        vm.roll(block.number + 1);
        assertEq(uint256(small.depositGasUsed()), 0);
        _deposit(small, SMALL_LIMIT);
        assertEq(uint256(small.depositGasUsed()), SMALL_LIMIT);
        // Any later block starts from zero too, not only the next one.
        vm.roll(block.number + 10);
        assertEq(uint256(small.depositGasUsed()), 0);
    }

    function test_depositTransaction_rejectedDepositUsesNoGas_succeeds() external {
        _deposit(small, SMALL_LIMIT);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositGasLimitTooHigh.selector, SMALL_LIMIT + 1, SMALL_LIMIT));
        vm.prank(alice, alice);
        small.depositTransaction(bob, 1, 0, SMALL_LIMIT + 1, false, "");
        assertEq(uint256(small.depositGasUsed()), SMALL_LIMIT);
    }

    /// @dev Deposits with fuzzed gas limits fill one L1 block up to the cap: each one that fits succeeds and is
    ///      counted, the first that does not reverts with the exact usage, and the next block starts from zero.
    function testFuzz_depositTransaction_blockCap_succeeds(uint64[] memory gasLimits, uint8 blocks) external {
        vm.assume(gasLimits.length > 0);
        blocks = uint8(bound(blocks, 1, 3));
        uint256 locked;
        for (uint256 b = 0; b < blocks; ++b) {
            uint64 used;
            for (uint256 i = 0; i < gasLimits.length && i < 64; ++i) {
                uint64 gasLimit = uint64(bound(gasLimits[i], 21_000, SMALL_LIMIT));
                if (used + gasLimit > SMALL_CAP) {
                    vm.expectRevert(
                        abi.encodeWithSelector(Portal.DepositBlockGasExceeded.selector, used, gasLimit, SMALL_CAP)
                    );
                    vm.prank(alice, alice);
                    small.depositTransaction(bob, 1, 0, gasLimit, false, "");
                    continue;
                }
                _deposit(small, gasLimit);
                used += gasLimit;
                locked += 1;
                assertEq(uint256(small.depositGasUsed()), used);
            }
            assertLe(uint256(small.depositGasUsed()), SMALL_CAP);
            vm.roll(block.number + 1);
            assertEq(uint256(small.depositGasUsed()), 0, "a new block starts from zero");
        }
        assertEq(token.balanceOf(address(small)), locked);
    }
}

contract Portal_DepositTransactionWithPermit_Test is Portal_TestInit {
    function test_depositTransactionWithPermit_validPermit_succeeds() external {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(3 ether, deadline);
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.TransactionDeposited(
            alice, bob, 0, abi.encodePacked(uint256(3 ether), uint256(0), uint64(21_000), false)
        );
        vm.prank(alice, alice);
        portal.depositTransactionWithPermit(bob, 3 ether, 0, 21_000, false, "", deadline, v, r, s);
        assertEq(token.balanceOf(address(portal)), 3 ether);
        assertEq(token.nonces(alice), 1);
        assertEq(token.allowance(alice, address(portal)), 0);
    }

    function test_depositTransactionWithPermit_frontRunPermit_succeeds() external {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(3 ether, deadline);
        // Someone submits the permit first; the deposit still goes through on the allowance it set.
        token.permit(alice, address(portal), 3 ether, deadline, v, r, s);
        vm.prank(alice, alice);
        portal.depositTransactionWithPermit(bob, 3 ether, 0, 21_000, false, "", deadline, v, r, s);
        assertEq(token.balanceOf(address(portal)), 3 ether);
    }

    function test_depositTransactionWithPermit_badPermitNoAllowance_reverts() external {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(3 ether, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(portal), 0, 4 ether)
        );
        vm.prank(alice, alice);
        portal.depositTransactionWithPermit(bob, 4 ether, 0, 21_000, false, "", deadline, v, r, s);
    }

    function test_depositTransactionWithPermit_invalidParams_reverts() external {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(3 ether, deadline);
        vm.expectRevert(abi.encodeWithSelector(Portal.CreationWithTarget.selector, bob));
        vm.prank(alice, alice);
        portal.depositTransactionWithPermit(bob, 3 ether, 0, 21_000, true, "", deadline, v, r, s);
    }
}

abstract contract Portal_WithdrawalTestInit is Portal_TestInit {
    CallRecorder internal target;
    WithdrawalTransaction internal wd;
    OutputRootProof internal proof;
    bytes[] internal storageProof;
    uint256 internal outputIndex;
    bytes32 internal withdrawalHash;

    function setUp() public virtual override {
        super.setUp();
        target = new CallRecorder();
        _fundPortal(100 ether);
        wd = _withdrawal(address(target), 7 ether, "");
        bytes32 outputRoot;
        (proof, storageProof, outputRoot) = _outputFor(wd);
        outputIndex = _propose(10, outputRoot);
        withdrawalHash = Hashing.hashWithdrawal(wd);
    }
}

contract Portal_ProveWithdrawal_Test is Portal_WithdrawalTestInit {
    function test_proveWithdrawal_valid_succeeds() external {
        vm.expectEmit(true, true, true, true, address(portal));
        emit Portal.WithdrawalProven(withdrawalHash, alice, address(target));
        vm.prank(bob);
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        (bytes32 root, uint128 ts, uint128 idx) = portal.provenWithdrawals(withdrawalHash);
        assertEq(root, rollup.getOutput(outputIndex).outputRoot);
        assertEq(uint256(ts), block.timestamp);
        assertEq(uint256(idx), outputIndex);
    }

    function test_proveWithdrawal_paused_reverts() external {
        vm.prank(guardian);
        rollup.pause();
        vm.expectRevert(Portal.RollupPaused.selector);
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_targetPortal_reverts() external {
        wd.target = address(portal);
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidWithdrawalTarget.selector, address(portal)));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_targetToken_reverts() external {
        wd.target = address(token);
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidWithdrawalTarget.selector, address(token)));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_missingOutput_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFound.selector, outputIndex + 1));
        portal.proveWithdrawal(wd, outputIndex + 1, proof, storageProof);
    }

    function test_proveWithdrawal_badVersion_reverts() external {
        proof.version = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(Portal.UnsupportedOutputVersion.selector, bytes32(uint256(1))));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_wrongOutputRootProof_reverts() external {
        proof.stateRoot = keccak256("other state");
        vm.expectRevert(
            abi.encodeWithSelector(
                Portal.OutputRootMismatch.selector,
                rollup.getOutput(outputIndex).outputRoot,
                Hashing.hashOutputRootProof(proof)
            )
        );
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_withdrawalNotInTrie_reverts() external {
        wd.value = 8 ether; // a different withdrawal: its leaf is not in the trie
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidWithdrawalProof.selector, Hashing.hashWithdrawal(wd)));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_tamperedNode_reverts() external {
        storageProof[0][storageProof[0].length - 1] = 0x02; // value 0x01 -> 0x02
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidWithdrawalProof.selector, withdrawalHash));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_emptyProof_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(Portal.InvalidWithdrawalProof.selector, withdrawalHash));
        portal.proveWithdrawal(wd, outputIndex, proof, new bytes[](0));
    }

    function test_proveWithdrawal_twice_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyProven.selector, withdrawalHash));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }

    function test_proveWithdrawal_afterOutputDeleted_succeeds() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        _challengeAndResolve(outputIndex, false);
        // The same root is proposed again later (a new output): the old proof no longer counts, a new one is
        // allowed.
        vm.warp(block.timestamp + 1);
        uint256 again = _propose(10, Hashing.hashOutputRootProof(proof));
        portal.proveWithdrawal(wd, again, proof, storageProof);
        (, uint128 ts,) = portal.provenWithdrawals(withdrawalHash);
        assertEq(uint256(ts), block.timestamp);
    }

    function test_proveWithdrawal_afterFinalized_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.warp(block.timestamp + WINDOW);
        portal.finalizeWithdrawal(wd);
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyFinalized.selector, withdrawalHash));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
    }
}

contract Portal_FinalizeWithdrawal_Test is Portal_WithdrawalTestInit {
    function test_finalizeWithdrawal_afterWindow_succeeds() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(true, false, false, true, address(portal));
        emit Portal.WithdrawalFinalized(withdrawalHash, true);
        vm.prank(bob);
        portal.finalizeWithdrawal(wd);
        assertEq(token.balanceOf(address(target)), 7 ether);
        assertEq(token.balanceOf(address(portal)), 93 ether);
        assertTrue(portal.finalizedWithdrawals(withdrawalHash));
        assertEq(target.calls(), 0, "no data, no call");
    }

    function _reproveWith(bytes memory data, uint256 gasLimit) internal {
        wd.data = data;
        wd.gasLimit = gasLimit;
        withdrawalHash = Hashing.hashWithdrawal(wd);
        bytes32 outputRoot;
        (proof, storageProof, outputRoot) = _outputFor(wd);
        outputIndex = _propose(20, outputRoot);
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.warp(block.timestamp + WINDOW);
    }

    function test_finalizeWithdrawal_withCall_succeeds() external {
        bytes memory data = abi.encodeCall(CallRecorder.record, (hex"1234"));
        _reproveWith(data, 200_000);
        vm.expectEmit(true, false, false, true, address(portal));
        emit Portal.WithdrawalFinalized(withdrawalHash, true);
        portal.finalizeWithdrawal(wd);
        assertEq(target.calls(), 1);
        assertEq(target.lastCaller(), address(portal));
        assertEq(target.lastData(), hex"1234");
        assertEq(token.balanceOf(address(target)), 7 ether);
    }

    function test_finalizeWithdrawal_callReverts_succeeds() external {
        _reproveWith(abi.encodeCall(CallRecorder.fail, ()), 200_000);
        vm.expectEmit(true, false, false, true, address(portal));
        emit Portal.WithdrawalFinalized(withdrawalHash, false);
        portal.finalizeWithdrawal(wd);
        assertTrue(portal.finalizedWithdrawals(withdrawalHash));
        assertEq(token.balanceOf(address(target)), 7 ether, "value still released");
    }

    function test_finalizeWithdrawal_callOutOfGas_succeeds() external {
        _reproveWith(abi.encodeCall(CallRecorder.burnGas, ()), 100_000);
        uint256 before = gasleft();
        vm.expectEmit(true, false, false, true, address(portal));
        emit Portal.WithdrawalFinalized(withdrawalHash, false);
        portal.finalizeWithdrawal(wd);
        assertLe(before - gasleft(), 300_000, "callee bounded by gasLimit");
    }

    function test_finalizeWithdrawal_insufficientGas_reverts() external {
        _reproveWith(abi.encodeCall(CallRecorder.record, (hex"")), 1_000_000);
        vm.expectPartialRevert(Portal.InsufficientGas.selector);
        portal.finalizeWithdrawal{gas: 500_000}(wd);
        assertFalse(portal.finalizedWithdrawals(withdrawalHash));
    }

    function test_finalizeWithdrawal_paused_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(guardian);
        rollup.pause();
        vm.expectRevert(Portal.RollupPaused.selector);
        portal.finalizeWithdrawal(wd);
    }

    function test_finalizeWithdrawal_notProven_reverts() external {
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalNotProven.selector, withdrawalHash));
        portal.finalizeWithdrawal(wd);
    }

    function test_finalizeWithdrawal_inWindow_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, outputIndex));
        portal.finalizeWithdrawal(wd);
    }

    function test_finalizeWithdrawal_pendingChallenge_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        _challenge(outputIndex);
        vm.warp(block.timestamp + 2 * WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, outputIndex));
        portal.finalizeWithdrawal(wd);
    }

    function test_finalizeWithdrawal_challengeRejected_succeeds() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        _challengeAndResolve(outputIndex, true);
        vm.warp(block.timestamp + WINDOW);
        portal.finalizeWithdrawal(wd);
        assertEq(token.balanceOf(address(target)), 7 ether);
    }

    function test_finalizeWithdrawal_outputDeleted_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        _challengeAndResolve(outputIndex, false);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Portal.ProvenOutputInvalidated.selector, withdrawalHash, outputIndex));
        portal.finalizeWithdrawal(wd);
    }

    function test_finalizeWithdrawal_outputReplacedSameRoot_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        _challengeAndResolve(outputIndex, false);
        vm.warp(block.timestamp + 1);
        _propose(10, Hashing.hashOutputRootProof(proof));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Portal.ProvenOutputInvalidated.selector, withdrawalHash, outputIndex));
        portal.finalizeWithdrawal(wd);
    }

    function test_finalizeWithdrawal_twice_reverts() external {
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        vm.warp(block.timestamp + WINDOW);
        portal.finalizeWithdrawal(wd);
        vm.expectRevert(abi.encodeWithSelector(Portal.WithdrawalAlreadyFinalized.selector, withdrawalHash));
        portal.finalizeWithdrawal(wd);
        assertEq(token.balanceOf(address(target)), 7 ether);
    }

    function testFuzz_finalizeWithdrawal_value_succeeds(uint256 value, address to) external {
        value = bound(value, 0, 100 ether);
        vm.assume(to != address(0) && to != address(portal) && to != address(token) && to.code.length == 0);
        WithdrawalTransaction memory w = _withdrawal(to, value, "");
        uint256 idx = _proposeAndProve(w);
        vm.warp(block.timestamp + WINDOW);
        uint256 before = token.balanceOf(to);
        portal.finalizeWithdrawal(w);
        assertTrue(rollup.isFinalized(idx));
        assertEq(token.balanceOf(to), before + value);
        assertEq(token.balanceOf(address(portal)), 100 ether - value);
    }

    function testFuzz_finalizeWithdrawal_timing_succeeds(uint256 delay) external {
        delay = bound(delay, 0, 2 * uint256(WINDOW));
        portal.proveWithdrawal(wd, outputIndex, proof, storageProof);
        uint256 proposed = rollup.getOutput(outputIndex).timestamp;
        vm.warp(proposed + delay);
        if (delay < WINDOW) {
            vm.expectRevert(abi.encodeWithSelector(Portal.OutputNotFinalized.selector, outputIndex));
            portal.finalizeWithdrawal(wd);
        } else {
            portal.finalizeWithdrawal(wd);
            assertEq(token.balanceOf(address(target)), 7 ether);
        }
    }
}
