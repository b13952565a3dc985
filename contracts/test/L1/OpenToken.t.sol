// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Test} from "../utils/Test.sol";
import {OpenToken} from "../../src/L1/OpenToken.sol";

contract OpenToken_TestInit is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    uint256 internal constant OWNER_PK = 0xB0B;
    address internal holder;
    address internal treasury;
    OpenToken internal token;

    function setUp() public virtual {
        holder = vm.addr(OWNER_PK);
        treasury = makeAddr("treasury");
        token = new OpenToken(treasury);
        vm.prank(treasury);
        token.transfer(holder, 1000 ether);
    }

    function _permitSig(uint256 pk, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, holder, spender, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (v, r, s) = vm.sign(pk, digest);
    }
}

contract OpenToken_Constructor_Test is OpenToken_TestInit {
    function test_constructor_metadataAndSupply_succeeds() external view {
        assertEq(token.name(), "Open");
        assertEq(token.symbol(), "OPEN");
        assertEq(uint256(token.decimals()), 18);
        assertEq(token.totalSupply(), 1_000_000_000 ether);
        assertEq(token.INITIAL_SUPPLY(), 1_000_000_000 ether);
        assertEq(token.balanceOf(treasury), 1_000_000_000 ether - 1000 ether);
        assertEq(token.version(), "1.0.0-beta.1");
    }

    function test_constructor_zeroTreasury_reverts() external {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        new OpenToken(address(0));
    }

    function test_constructor_noMintFunction_succeeds() external {
        (bool ok,) = address(token).call(abi.encodeWithSignature("mint(address,uint256)", holder, 1));
        assertFalse(ok, "mint must not exist");
        assertEq(token.totalSupply(), 1_000_000_000 ether);
    }
}

contract OpenToken_Permit_Test is OpenToken_TestInit {
    function test_permit_validSignature_succeeds() external {
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(OWNER_PK, spender, 5 ether, 0, deadline);
        token.permit(holder, spender, 5 ether, deadline, v, r, s);
        assertEq(token.allowance(holder, spender), 5 ether);
        assertEq(token.nonces(holder), 1);
    }

    function test_permit_expired_reverts() external {
        address spender = makeAddr("spender");
        vm.warp(1000);
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(OWNER_PK, spender, 5 ether, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(holder, spender, 5 ether, deadline, v, r, s);
    }

    function test_permit_wrongSigner_reverts() external {
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(0xBAD, spender, 5 ether, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, vm.addr(0xBAD), holder));
        token.permit(holder, spender, 5 ether, deadline, v, r, s);
    }
}

contract OpenToken_Burn_Test is OpenToken_TestInit {
    function test_burn_reducesSupply_succeeds() external {
        vm.prank(holder);
        token.burn(10 ether);
        assertEq(token.balanceOf(holder), 990 ether);
        assertEq(token.totalSupply(), 1_000_000_000 ether - 10 ether);
    }

    function test_burn_moreThanBalance_reverts() external {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, holder, 1000 ether, 1001 ether)
        );
        vm.prank(holder);
        token.burn(1001 ether);
    }

    function test_burnFrom_withAllowance_succeeds() external {
        address spender = makeAddr("spender");
        vm.prank(holder);
        token.approve(spender, 3 ether);
        vm.prank(spender);
        token.burnFrom(holder, 3 ether);
        assertEq(token.balanceOf(holder), 997 ether);
        assertEq(token.allowance(holder, spender), 0);
    }

    function test_burnFrom_noAllowance_reverts() external {
        address spender = makeAddr("spender");
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, spender, 0, 1));
        vm.prank(spender);
        token.burnFrom(holder, 1);
    }

    function testFuzz_burn_anyAmount_succeeds(uint256 amount) external {
        amount = bound(amount, 0, 1000 ether);
        vm.prank(holder);
        token.burn(amount);
        assertEq(token.totalSupply(), 1_000_000_000 ether - amount);
    }
}
