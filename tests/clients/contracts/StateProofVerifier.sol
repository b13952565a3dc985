// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";
import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {Bytes} from "@openzeppelin/contracts/utils/Bytes.sol";
import {Memory} from "@openzeppelin/contracts/utils/Memory.sol";

/**
 * Verifies EIP-1186 `eth_getProof` answers with OpenZeppelin's Merkle-Patricia proof code (TrieProof, RLP), run in
 * an EVM: an implementation independent of the node whose proofs are checked. Used by tests/clients/proof-check.mjs.
 *
 * Inclusion (accounts, non-zero storage slots) is OZ's {TrieProof-verify} / {TrieProof-tryTraverse}. OZ 5.7 has no
 * non-inclusion API: for a key that is not in the trie its traversal ends with INVALID_PATH_REMAINDER or
 * MISMATCH_LEAF_PATH_KEY_REMAINDER (a leaf or extension for another path) or reverts with RLPInvalidEncoding (it
 * tries to decode the empty branch slot `0x80` as a node). None of these alone proves absence (a broken proof gives
 * errors too), so absence is accepted when OZ finds no value *and* {_excluded}, a short walk over OZ's RLP decoder,
 * checks the hash chain from the root along the key's nibbles down to the last proof node, and that node shows the
 * key's path ends (empty branch slot, or a leaf / extension for another path).
 */
contract StateProofVerifier {
    using Bytes for bytes;
    using RLP for *;
    using Memory for *;

    struct Account {
        uint256 nonce;
        uint256 balance;
        bytes32 storageRoot;
        bytes32 codeHash;
    }

    bytes32 public constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;
    /// `err` when OZ's traversal reverted (on input it cannot decode), in place of a {TrieProof-ProofError}.
    uint8 public constant REVERTED = 255;
    /// `err` when the proven account value is not a 4-item RLP list.
    uint8 public constant NOT_AN_ACCOUNT = 254;

    // ---- OZ's functions as external calls, so that a revert inside them becomes a result --------------------------

    function ozTraverse(bytes32 root, bytes memory key, bytes[] memory proof) external pure returns (bytes memory value, uint8 err) {
        TrieProof.ProofError e;
        (value, e) = TrieProof.tryTraverse(root, key, proof);
        err = uint8(e);
    }

    function ozVerify(bytes memory value, bytes32 root, bytes memory key, bytes[] memory proof) external pure returns (bool) {
        return TrieProof.verify(value, root, key, proof);
    }

    // ---- the checks ----------------------------------------------------------------------------------------------

    /**
     * An account proof against a state root: traverses with key keccak256(account), RLP-decodes the proven value as
     * [nonce, balance, storageRoot, codeHash] (returned as `proven`), compares it with `claimed` (the eth_getProof
     * fields), and verifies the canonical RLP encoding of `claimed` with OZ's {TrieProof-verify}.
     */
    function verifyAccount(
        bytes32 stateRoot,
        address account,
        bytes[] memory proof,
        Account memory claimed
    ) external view returns (bool ok, uint8 err, Account memory proven) {
        bytes memory key = _key(keccak256(abi.encodePacked(account)));
        bytes memory value;
        (value, err) = _traverse(stateRoot, key, proof);
        if (err != 0) return (false, err, proven);
        Memory.Slice[] memory fields = value.decodeList();
        if (fields.length != 4) return (false, NOT_AN_ACCOUNT, proven);
        proven = Account(fields[0].readUint256(), fields[1].readUint256(), fields[2].readBytes32(), fields[3].readBytes32());
        ok =
            proven.nonce == claimed.nonce &&
            proven.balance == claimed.balance &&
            proven.storageRoot == claimed.storageRoot &&
            proven.codeHash == claimed.codeHash &&
            _ozVerify(encodeAccount(claimed), stateRoot, key, proof);
    }

    /// An exclusion proof: `account` does not exist in the state with root `stateRoot`. `err` is OZ's outcome.
    function verifyAccountAbsent(bytes32 stateRoot, address account, bytes[] memory proof) external view returns (bool ok, uint8 err) {
        bytes memory key = _key(keccak256(abi.encodePacked(account)));
        (, err) = _traverse(stateRoot, key, proof);
        ok = err != 0 && _excluded(stateRoot, key, proof);
    }

    /**
     * A storage proof against an account's storage root, key keccak256(slot): a non-zero `value` must be included
     * as rlp(value) (OZ {TrieProof-verify}); zero means absent (exclusion proof). `err` is OZ's outcome.
     */
    function verifyStorage(bytes32 storageRoot, bytes32 slot, bytes[] memory proof, uint256 value) external view returns (bool ok, uint8 err) {
        bytes memory key = _key(keccak256(abi.encodePacked(slot)));
        (, err) = _traverse(storageRoot, key, proof);
        if (value == 0) ok = err != 0 && _excluded(storageRoot, key, proof);
        else ok = err == 0 && _ozVerify(RLP.encode(value), storageRoot, key, proof);
    }

    /// rlp([nonce, balance, storageRoot, codeHash]): the value of an account's leaf in the state trie.
    function encodeAccount(Account memory a) public pure returns (bytes memory) {
        return RLP.encoder().push(a.nonce).push(a.balance).push(a.storageRoot).push(a.codeHash).encode();
    }

    // ---- internals -----------------------------------------------------------------------------------------------

    function _key(bytes32 hashedKey) private pure returns (bytes memory) {
        return abi.encodePacked(hashedKey);
    }

    function _traverse(bytes32 root, bytes memory key, bytes[] memory proof) private view returns (bytes memory, uint8) {
        try this.ozTraverse(root, key, proof) returns (bytes memory value, uint8 err) {
            return (value, err);
        } catch {
            return ("", REVERTED);
        }
    }

    function _ozVerify(bytes memory value, bytes32 root, bytes memory key, bytes[] memory proof) private view returns (bool) {
        try this.ozVerify(value, root, key, proof) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    /**
     * True if `proof` proves that `key` is not in the trie with root `root`: every proof node is the one its parent
     * (or the root hash) points to along the key's nibbles, and the last node ends the key's path: an empty branch
     * slot, or a leaf or extension whose path differs from the key's. An empty trie is proven by an empty proof (or
     * the single node 0x80).
     */
    function _excluded(bytes32 root, bytes memory key, bytes[] memory proof) private pure returns (bool) {
        if (proof.length == 0) return root == EMPTY_TRIE_ROOT;
        if (proof.length == 1 && proof[0].length == 1 && proof[0][0] == 0x80) return root == EMPTY_TRIE_ROOT;
        bytes memory nibbles = key.toNibbles();
        uint256 pos = 0;
        bytes32 want = root;
        for (uint256 i = 0; i < proof.length; ++i) {
            if (keccak256(proof[i]) != want) return false;
            bool last = i + 1 == proof.length;
            Memory.Slice node = proof[i].asSlice();
            while (true) {
                Memory.Slice[] memory items = node.readList();
                Memory.Slice child;
                if (items.length == 17) {
                    if (pos == nibbles.length) return false; // the key ends at a branch: present or malformed
                    child = items[uint8(nibbles[pos++])];
                } else if (items.length == 2) {
                    bytes memory path = items[0].readBytes().toNibbles();
                    if (path.length == 0 || uint8(path[0]) > 3) return false;
                    uint8 flag = uint8(path[0]); // 0/1: extension, 2/3: leaf; odd: one nibble after the flag
                    bytes memory rest = path.slice(2 - (flag % 2));
                    bool onPath = rest.length <= nibbles.length - pos && rest.equal(nibbles.slice(pos, pos + rest.length));
                    if (flag >= 2) return last && !(onPath && rest.length == nibbles.length - pos); // another key's leaf
                    if (!onPath) return last; // an extension leading elsewhere
                    pos += rest.length;
                    child = items[1];
                } else {
                    return false;
                }
                uint256 len = child.length();
                uint8 first = uint8(bytes1(child.load(0)));
                if (len == 1 && first == 0x80) return last; // empty slot: the key's path ends here
                if (len == 33 && first == 0xa0) {
                    want = child.readBytes32(); // hash reference: the next proof node
                    break;
                }
                if (first >= 0xc0 && len < 32) {
                    node = child; // node embedded in its parent
                    continue;
                }
                return false;
            }
        }
        return false; // the proof stops before the key's path ends
    }
}
