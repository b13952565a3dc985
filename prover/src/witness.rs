//! `prover witness` and `prover check-block`: a single disputed block, checked by anyone from
//! its execution witness alone (no database, no RPC), with `tributary-stateless`.
//!
//! The witness file is JSON: `{"block": N, "header": rlp, "transactions": [eip2718…],
//! "witness": {"state", "codes", "keys", "headers"}}` (the witness in reth's
//! `debug_executionWitness` shape). `witness` writes one from the prover's own datadir (the
//! chain derived from L1 by `verify`) or from any L2 node's `debug_executionWitness`;
//! `check-block` trusts neither: the headers must chain to the block's parent, every node is
//! addressed by its hash, and re-execution must reproduce the header's roots.

use std::{path::PathBuf, process::ExitCode};

use alloy::{
    consensus::Header,
    providers::{Provider, ProviderBuilder},
    rlp::Decodable,
    transports::http::reqwest::Url,
};
use alloy_primitives::{B256, Bytes};
use clap::Args;
use eyre::{WrapErr, bail, eyre};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tributary_genesis::L2Genesis;
use tributary_node::{ExecutionWitness, Node, NodeConfig};
use tributary_stateless::{StatelessBlock, WitnessSize, verify_block};

use crate::EXIT_MISMATCH;

/// `prover witness` flags.
#[derive(Debug, Args)]
pub(crate) struct WitnessArgs {
    /// The L2 block.
    #[arg(long)]
    block: u64,
    /// Take the witness from this L2 node's `debug_executionWitness` (untrusted: `check-block`
    /// checks it). Without it, the witness comes from the prover's own datadir.
    #[arg(long = "l2-rpc")]
    l2_rpc: Option<Url>,
    /// The prover's datadir (after `prover verify`).
    #[arg(long, env = "TRIBUTARY_PROVER_DATADIR", default_value = "prover-data")]
    datadir: PathBuf,
    /// The L2 genesis file (for the datadir).
    #[arg(long, env = "TRIBUTARY_GENESIS")]
    genesis: Option<PathBuf>,
    /// Where to write the witness file (default: stdout).
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// `prover check-block` flags.
#[derive(Debug, Args)]
pub(crate) struct CheckBlockArgs {
    /// A witness file written by `prover witness`.
    file: PathBuf,
    /// The L2 genesis file: the chain id and fee rules the block is checked under.
    #[arg(long, env = "TRIBUTARY_GENESIS")]
    genesis: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// A block with the witness to check it statelessly.
#[derive(Debug, Serialize, Deserialize)]
struct WitnessFile {
    block: u64,
    /// RLP of the header.
    header: Bytes,
    /// The transactions, EIP-2718 encoded.
    transactions: Vec<Bytes>,
    witness: ExecutionWitness,
}

pub(crate) async fn witness(args: WitnessArgs) -> eyre::Result<ExitCode> {
    let file = match &args.l2_rpc {
        Some(url) => from_rpc(url, args.block).await?,
        None => {
            let genesis = args
                .genesis
                .as_ref()
                .ok_or_else(|| eyre!("--genesis is required to read the prover's datadir"))?;
            from_datadir(&args.datadir, genesis, args.block).await?
        }
    };
    let size = WitnessSize::of(&file.witness);
    let bytes = serde_json::to_vec_pretty(&file)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).wrap_err_with(|| format!("writing {}", path.display()))?
        }
        None => println!("{}", String::from_utf8_lossy(&bytes)),
    }
    eprintln!(
        "block {}: {} trie nodes ({} B), {} codes ({} B), {} headers ({} B): {} B to check it",
        file.block,
        size.nodes,
        size.state_bytes,
        size.codes,
        size.code_bytes,
        size.headers,
        size.header_bytes,
        size.total()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn check_block(args: CheckBlockArgs) -> eyre::Result<ExitCode> {
    let bytes =
        std::fs::read(&args.file).wrap_err_with(|| format!("reading {}", args.file.display()))?;
    let file: WitnessFile = serde_json::from_slice(&bytes)
        .wrap_err_with(|| format!("{} is not a witness file", args.file.display()))?;
    let header = Header::decode(&mut file.header.as_ref()).wrap_err("the header is not RLP")?;
    if header.number != file.block {
        bail!(
            "the file is for block {} but holds header {}",
            file.block,
            header.number
        );
    }
    let genesis = L2Genesis::read_json(&args.genesis)
        .wrap_err_with(|| format!("reading {}", args.genesis.display()))?;
    let rollup = NodeConfig::with_genesis(PathBuf::new(), genesis.config).rollup;
    let block = StatelessBlock::new(header, file.transactions);
    match verify_block(&file.witness, &block, &rollup) {
        Ok(verified) => {
            if args.json {
                println!(
                    "{}",
                    json!({
                        "block": verified.number,
                        "ok": true,
                        "block_hash": verified.block_hash,
                        "parent_state_root": verified.parent_state_root,
                        "state_root": verified.state_root,
                        "output_root": verified.output_root(),
                    })
                );
            } else {
                println!(
                    "block {} OK: state root {} (from parent state root {}), block hash {}, output root {}",
                    verified.number,
                    verified.state_root,
                    verified.parent_state_root,
                    verified.block_hash,
                    verified.output_root()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    json!({ "block": file.block, "ok": false, "error": e.to_string() })
                );
            } else {
                println!("block {} REJECTED: {e}", file.block);
            }
            Ok(ExitCode::from(EXIT_MISMATCH))
        }
    }
}

/// The block and its witness from the chain the prover derived from L1.
async fn from_datadir(
    datadir: &std::path::Path,
    genesis: &std::path::Path,
    number: u64,
) -> eyre::Result<WitnessFile> {
    let genesis =
        L2Genesis::read_json(genesis).wrap_err_with(|| format!("reading {}", genesis.display()))?;
    let chain = datadir.join("chain");
    if !chain.exists() {
        bail!(
            "{} holds no chain: run `prover verify` first",
            datadir.display()
        );
    }
    let node = Node::open(NodeConfig::with_genesis(&chain, genesis.config))
        .await
        .map_err(|e| eyre!("opening {}: {e}", chain.display()))?;
    let result = async {
        let header = node
            .store()
            .header_by_number(number)
            .await?
            .ok_or_else(|| {
                eyre!(
                    "block {number} is not derived yet (head {})",
                    node.head().number
                )
            })?;
        let transactions = node
            .store()
            .block_transactions(number)
            .await?
            .into_iter()
            .map(|tx| tx.raw)
            .collect();
        let witness = node.execution_witness(number).await?;
        Ok(WitnessFile {
            block: number,
            header: alloy::rlp::encode(header.inner()).into(),
            transactions,
            witness,
        })
    }
    .await;
    node.store().close().await;
    result
}

/// The block (header and raw transactions) and `debug_executionWitness` from an L2 node.
async fn from_rpc(url: &Url, number: u64) -> eyre::Result<WitnessFile> {
    let l2 = ProviderBuilder::new().connect_http(url.clone());
    let block = l2
        .get_block_by_number(number.into())
        .await
        .wrap_err_with(|| format!("eth_getBlockByNumber({number}) at {url}"))?
        .ok_or_else(|| eyre!("{url} has no block {number}"))?;
    let mut transactions = Vec::new();
    for hash in block.transactions.hashes() {
        let raw: Bytes = l2
            .raw_request("eth_getRawTransactionByHash".into(), (hash,))
            .await
            .wrap_err_with(|| format!("eth_getRawTransactionByHash({hash})"))?;
        transactions.push(raw);
    }
    let witness: ExecutionWitness = l2
        .raw_request("debug_executionWitness".into(), (format!("{number:#x}"),))
        .await
        .wrap_err_with(|| format!("debug_executionWitness({number}) at {url}"))?;
    let header = block.header.inner;
    let hash: B256 = header.hash_slow();
    if hash != block.header.hash {
        bail!("{url} served block {number} with a header that does not hash to its hash");
    }
    Ok(WitnessFile {
        block: number,
        header: alloy::rlp::encode(&header).into(),
        transactions,
        witness,
    })
}
