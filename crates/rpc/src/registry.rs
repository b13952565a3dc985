//! The method registry: [`RpcModule`] builds handlers around a shared context, [`Methods`]
//! is the type-erased table the server dispatches on.
//!
//! Each namespace (eth_, net_, web3_, txpool_, debug_ ...) is one module of the node that builds
//! an `RpcModule<ItsContext>`; the node merges them into one [`Methods`] and hands it to
//! [`start`](crate::start). Three kinds of entries exist:
//!
//! - plain methods: `Fn(Params, Arc<Ctx>) -> Future<Output = RpcResult<impl Serialize>>`;
//! - batched methods: `Fn(Vec<Params>, Arc<Ctx>) -> Future<Output = Vec<RpcResult<impl Serialize>>>`,
//!   which receive every call to them within one batch request together (see
//!   [`RpcModule::register_batched_method`]);
//! - subscriptions: a subscribe method returning a `Stream`, plus its unsubscribe method,
//!   served over WebSocket only.

use std::{collections::HashMap, fmt, future::Future, pin::Pin, sync::Arc};

use futures::{Stream, StreamExt, stream::BoxStream};
use serde::Serialize;
use serde_json::Value;

use crate::{
    error::{RegisterError, RpcError, RpcResult},
    params::Params,
};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A type-erased plain handler.
pub(crate) type CallHandler = Arc<dyn Fn(Params) -> BoxFuture<RpcResult<Value>> + Send + Sync>;
/// A type-erased batched handler.
pub(crate) type BatchHandler =
    Arc<dyn Fn(Vec<Params>) -> BoxFuture<Vec<RpcResult<Value>>> + Send + Sync>;
/// A type-erased subscribe handler; items are serialized lazily by the forwarder.
pub(crate) type SubscribeHandler = Arc<
    dyn Fn(Params) -> BoxFuture<RpcResult<BoxStream<'static, Result<Value, serde_json::Error>>>>
        + Send
        + Sync,
>;

/// What a method name resolves to.
#[derive(Clone)]
pub(crate) enum MethodKind {
    /// One call, one handler invocation.
    Call(CallHandler),
    /// All calls of a batch in one handler invocation.
    Batched(BatchHandler),
    /// Creates a subscription (WebSocket only).
    Subscribe {
        /// Produces the stream.
        handler: SubscribeHandler,
        /// The `method` of the notifications, e.g. `eth_subscription`.
        notification: &'static str,
        /// The method that cancels subscriptions made here, e.g. `eth_unsubscribe`.
        unsubscribe: &'static str,
    },
    /// Cancels a subscription made by the paired subscribe method (WebSocket only).
    Unsubscribe,
}

/// Serializes a handler's output, turning the (rare) failure into an internal error.
fn to_value<R: Serialize>(result: RpcResult<R>) -> RpcResult<Value> {
    result.and_then(|value| {
        serde_json::to_value(value)
            .map_err(|err| RpcError::internal(format!("failed to serialize a result: {err}")))
    })
}

/// Handlers sharing one context, e.g. the eth_ namespace over the node's state.
///
/// ```
/// # use tributary_rpc::{RpcModule, RpcError};
/// struct Chain { id: u64 }
/// let mut module = RpcModule::new(Chain { id: 42 });
/// module
///     .register_method("eth_chainId", |_params, chain| async move {
///         Ok::<_, RpcError>(format!("{:#x}", chain.id))
///     })
///     .unwrap();
/// ```
pub struct RpcModule<Ctx> {
    ctx: Arc<Ctx>,
    methods: Methods,
}

impl<Ctx> fmt::Debug for RpcModule<Ctx> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcModule")
            .field("methods", &self.methods)
            .finish_non_exhaustive()
    }
}

impl<Ctx: Send + Sync + 'static> RpcModule<Ctx> {
    /// A module owning `ctx`.
    pub fn new(ctx: Ctx) -> Self {
        Self::from_shared(Arc::new(ctx))
    }

    /// A module over a context shared with other parts of the node.
    pub fn from_shared(ctx: Arc<Ctx>) -> Self {
        Self {
            ctx,
            methods: Methods::new(),
        }
    }

    /// The shared context.
    pub fn context(&self) -> &Arc<Ctx> {
        &self.ctx
    }

    /// Registers an async handler. Its result may be any `Serialize` type.
    ///
    /// A panic in the handler is caught and answered with -32603, so one bad request cannot
    /// take a connection (or a batch) down.
    pub fn register_method<F, Fut, R>(
        &mut self,
        name: &'static str,
        handler: F,
    ) -> Result<&mut Self, RegisterError>
    where
        F: Fn(Params, Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = RpcResult<R>> + Send + 'static,
        R: Serialize + 'static,
    {
        let ctx = Arc::clone(&self.ctx);
        let handler: CallHandler = Arc::new(move |params| {
            let fut = handler(params, Arc::clone(&ctx));
            Box::pin(async move { to_value(fut.await) })
        });
        self.methods.insert(name, MethodKind::Call(handler))?;
        Ok(self)
    }

    /// Registers a handler that receives every call to `name` within one batch request
    /// together, in request order, and answers each (same length, same order).
    ///
    /// A single (non-batch) call arrives as a batch of one. The throughput case is
    /// `eth_sendRawTransaction`: senders can be recovered in parallel and the whole group
    /// journaled in one database transaction. Missing answers (a shorter vector) become
    /// -32603 for the calls left without one; extra answers are ignored.
    pub fn register_batched_method<F, Fut, R>(
        &mut self,
        name: &'static str,
        handler: F,
    ) -> Result<&mut Self, RegisterError>
    where
        F: Fn(Vec<Params>, Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<RpcResult<R>>> + Send + 'static,
        R: Serialize + 'static,
    {
        let ctx = Arc::clone(&self.ctx);
        let handler: BatchHandler = Arc::new(move |calls| {
            let fut = handler(calls, Arc::clone(&ctx));
            Box::pin(async move { fut.await.into_iter().map(to_value).collect() })
        });
        self.methods.insert(name, MethodKind::Batched(handler))?;
        Ok(self)
    }

    /// Registers a subscription: `subscribe` (e.g. `eth_subscribe`) runs `handler` and, on
    /// success, answers with a fresh subscription id and forwards every item of the returned
    /// stream as a `notification` message (e.g. `eth_subscription`) until the stream ends, the
    /// client calls `unsubscribe` (e.g. `eth_unsubscribe`) or the connection closes.
    ///
    /// Over HTTP both methods answer -32601 "notifications not supported", as geth does.
    /// Several subscribe methods may share one unsubscribe method (also across modules); an
    /// unsubscribe call only cancels subscriptions whose subscribe method named it.
    pub fn register_subscription<F, Fut, S, T>(
        &mut self,
        subscribe: &'static str,
        notification: &'static str,
        unsubscribe: &'static str,
        handler: F,
    ) -> Result<&mut Self, RegisterError>
    where
        F: Fn(Params, Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = RpcResult<S>> + Send + 'static,
        S: Stream<Item = T> + Send + 'static,
        T: Serialize + 'static,
    {
        if subscribe == unsubscribe {
            return Err(RegisterError::DuplicateMethod(unsubscribe.to_owned()));
        }
        if self.methods.contains(subscribe) {
            return Err(RegisterError::DuplicateMethod(subscribe.to_owned()));
        }
        let ctx = Arc::clone(&self.ctx);
        let handler: SubscribeHandler = Arc::new(move |params| {
            let fut = handler(params, Arc::clone(&ctx));
            Box::pin(async move {
                let stream = fut.await?;
                Ok(stream.map(|item| serde_json::to_value(item)).boxed())
            })
        });
        self.methods.insert(unsubscribe, MethodKind::Unsubscribe)?;
        self.methods.insert(
            subscribe,
            MethodKind::Subscribe {
                handler,
                notification,
                unsubscribe,
            },
        )?;
        Ok(self)
    }

    /// The registered methods, context erased.
    pub fn into_methods(self) -> Methods {
        self.methods
    }
}

/// The table of methods the server dispatches on: cheap to clone, built by merging
/// [`RpcModule`]s.
#[derive(Clone, Default)]
pub struct Methods {
    table: HashMap<&'static str, MethodKind>,
}

impl fmt::Debug for Methods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.names().collect();
        names.sort_unstable();
        f.debug_struct("Methods").field("names", &names).finish()
    }
}

impl Methods {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn insert(&mut self, name: &'static str, kind: MethodKind) -> Result<(), RegisterError> {
        if self.conflicts(name, &kind) {
            return Err(RegisterError::DuplicateMethod(name.to_owned()));
        }
        self.table.insert(name, kind);
        Ok(())
    }

    /// Whether `name` is taken. Unsubscribe entries carry no handler, so a second one for
    /// the same name is the same entry and no conflict.
    fn conflicts(&self, name: &str, kind: &MethodKind) -> bool {
        match self.table.get(name) {
            None => false,
            Some(existing) => !matches!(
                (existing, kind),
                (MethodKind::Unsubscribe, MethodKind::Unsubscribe)
            ),
        }
    }

    /// Adds all methods of `other`. Nothing is added if any name is already taken.
    pub fn merge(&mut self, other: impl Into<Methods>) -> Result<(), RegisterError> {
        let other = other.into();
        if let Some(name) = other
            .table
            .iter()
            .find(|(name, kind)| self.conflicts(name, kind))
        {
            return Err(RegisterError::DuplicateMethod((*name.0).to_owned()));
        }
        self.table.extend(other.table);
        Ok(())
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.table.contains_key(name)
    }

    /// The registered method names, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.table.keys().copied()
    }

    /// The entry for `name`, with the registered (static) spelling of the name.
    pub(crate) fn get(&self, name: &str) -> Option<(&'static str, &MethodKind)> {
        self.table
            .get_key_value(name)
            .map(|(name, kind)| (*name, kind))
    }

    /// Calls a plain or batched method in-process, without a transport: for unit tests of
    /// handlers. Subscription methods answer "notifications not supported" as over HTTP.
    pub async fn call(&self, method: &str, params: Params) -> RpcResult<Value> {
        match self.get(method).map(|(_, kind)| kind) {
            None => Err(RpcError::method_not_found(method)),
            Some(MethodKind::Call(handler)) => handler(params).await,
            Some(MethodKind::Batched(handler)) => handler(vec![params])
                .await
                .into_iter()
                .next()
                .unwrap_or_else(|| Err(RpcError::internal(format!("{method} returned no answer")))),
            Some(MethodKind::Subscribe { .. } | MethodKind::Unsubscribe) => {
                Err(RpcError::notifications_unsupported())
            }
        }
    }
}

impl<Ctx: Send + Sync + 'static> From<RpcModule<Ctx>> for Methods {
    fn from(module: RpcModule<Ctx>) -> Self {
        module.into_methods()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn register_merge_and_call() {
        let mut module = RpcModule::new(5u64);
        module
            .register_method("plus", |params, ctx| async move {
                let (n,): (u64,) = params.parse()?;
                Ok(n + *ctx)
            })
            .unwrap();
        assert_eq!(
            module
                .register_method("plus", |_, _| async { Ok(0) })
                .unwrap_err(),
            RegisterError::DuplicateMethod("plus".into())
        );
        let mut methods = Methods::new();
        methods.merge(module).unwrap();
        assert_eq!(
            methods.call("plus", Params::array(vec![json!(2)])).await,
            Ok(json!(7))
        );
        assert_eq!(
            methods
                .call("nope", Params::none())
                .await
                .unwrap_err()
                .code(),
            -32601
        );

        let mut clash = RpcModule::new(());
        clash
            .register_method("other", |_, _| async { Ok(1) })
            .unwrap();
        clash
            .register_method("plus", |_, _| async { Ok(1) })
            .unwrap();
        assert!(methods.merge(clash).is_err());
        assert!(!methods.contains("other"), "a failed merge adds nothing");
    }
}
