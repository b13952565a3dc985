//! Shared helpers: an in-memory registry.

use std::collections::HashMap;

use alloy_primitives::{B256, keccak256};
use tributary_attribution::{Contribution, ContributionMeta, Registry, RegistryError};

/// The registry of the tests: content hash -> metadata, in memory.
#[derive(Debug, Default)]
pub(crate) struct MemRegistry {
    pub(crate) entries: HashMap<B256, ContributionMeta>,
    /// When set, every lookup fails with this message (an unreachable chain).
    pub(crate) fail: Option<&'static str>,
}

impl MemRegistry {
    /// Registers `text` as contribution `id` of `datanet_id`; returns its contribution.
    pub(crate) fn register(&mut self, id: u64, datanet_id: u64, text: &str) -> Contribution {
        let meta = ContributionMeta { id, datanet_id };
        self.entries.insert(keccak256(text.as_bytes()), meta);
        Contribution::new(meta, text)
    }
}

impl Registry for MemRegistry {
    fn lookup(&self, content_hash: B256) -> Result<Option<ContributionMeta>, RegistryError> {
        match self.fail {
            Some(message) => Err(message.into()),
            None => Ok(self.entries.get(&content_hash).copied()),
        }
    }
}
