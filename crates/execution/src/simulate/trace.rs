//! geth-style tracers through revm-inspectors' `DebugInspector`.
//!
//! Supported: the default struct logger (`disableStack`, `disableStorage`, `enableMemory`,
//! `enableReturnData`, `limit`), `callTracer` (`onlyTopCall`, `withLog`), `prestateTracer`
//! (`diffMode`), `4byteTracer` and `noopTracer`. Others, JavaScript tracers included, are refused
//! with [`SimulationError::UnsupportedTracer`]. `timeout` is not enforced here.

use alloy_rpc_types_trace::geth::{
    GethDebugBuiltInTracerType as BuiltIn, GethDebugTracerType, GethDebugTracingOptions, GethTrace,
};
use op_revm::OpHaltReason;
use revm::{
    DatabaseRef,
    context::{Evm, result::ExecResultAndState, result::ExecutionResult},
};
use revm_inspectors::tracing::{DebugInspector, DebugInspectorError, TransactionContext};

use crate::{
    ExecutionError, SimulationError,
    executor::{BlockEvm, database_error},
};

/// The inspector for `opts`, if its tracer is supported.
pub(crate) fn inspector(opts: &GethDebugTracingOptions) -> Result<DebugInspector, SimulationError> {
    match &opts.tracer {
        None
        | Some(GethDebugTracerType::BuiltInTracer(
            BuiltIn::CallTracer
            | BuiltIn::PreStateTracer
            | BuiltIn::FourByteTracer
            | BuiltIn::NoopTracer,
        )) => {}
        Some(GethDebugTracerType::BuiltInTracer(other)) => {
            return Err(SimulationError::UnsupportedTracer {
                tracer: format!("{other:?}"),
            });
        }
        Some(GethDebugTracerType::JsTracer(_)) => {
            return Err(SimulationError::UnsupportedTracer {
                tracer: "JavaScript tracer".to_owned(),
            });
        }
    }
    DebugInspector::new(opts.clone()).map_err(|e| match e {
        DebugInspectorError::InvalidTracerConfig => SimulationError::InvalidTracerConfig,
        other => SimulationError::UnsupportedTracer {
            tracer: other.to_string(),
        },
    })
}

/// The trace of the transaction the EVM just inspected (`out`, not committed: the EVM's state is
/// still the one before it, which the prestate tracer reads).
pub(crate) fn result<DB: DatabaseRef>(
    evm: &mut BlockEvm<'_, DB, DebugInspector>,
    out: &ExecResultAndState<ExecutionResult<OpHaltReason>>,
    context: Option<TransactionContext>,
    opts: &GethDebugTracingOptions,
) -> Result<GethTrace, SimulationError> {
    let Evm { ctx, inspector, .. } = &mut evm.0;
    let trace = inspector
        .get_result(
            context,
            &ctx.tx,
            &ctx.block,
            out,
            &mut ctx.journaled_state.database,
        )
        .map_err(|e| match e {
            DebugInspectorError::Database(e) => SimulationError::Execution(database_error(e)),
            other => SimulationError::Execution(ExecutionError::Evm {
                hash: context.and_then(|c| c.tx_hash).unwrap_or_default(),
                reason: other.to_string(),
            }),
        })?;
    Ok(limit_struct_logs(trace, opts.config.limit))
}

/// geth's `limit`: at most that many struct logs (0 = no limit).
fn limit_struct_logs(trace: GethTrace, limit: Option<u64>) -> GethTrace {
    match (trace, limit) {
        (GethTrace::Default(mut frame), Some(limit)) if limit > 0 => {
            frame
                .struct_logs
                .truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            GethTrace::Default(frame)
        }
        (trace, _) => trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_rpc_types_trace::geth::{DefaultFrame, StructLog};

    #[test]
    fn only_the_supported_tracers_are_accepted() {
        assert!(inspector(&GethDebugTracingOptions::default()).is_ok());
        for ok in [
            BuiltIn::CallTracer,
            BuiltIn::PreStateTracer,
            BuiltIn::FourByteTracer,
            BuiltIn::NoopTracer,
        ] {
            assert!(inspector(&GethDebugTracingOptions::new_tracer(ok)).is_ok());
        }
        let flat = inspector(&GethDebugTracingOptions::new_tracer(
            BuiltIn::FlatCallTracer,
        ));
        assert!(matches!(
            flat,
            Err(SimulationError::UnsupportedTracer { .. })
        ));
        let js = GethDebugTracingOptions::default()
            .with_tracer(GethDebugTracerType::JsTracer("{}".into()));
        assert!(matches!(
            inspector(&js),
            Err(SimulationError::UnsupportedTracer { .. })
        ));
    }

    #[test]
    fn limit_truncates_struct_logs() {
        let log: StructLog = serde_json::from_value(serde_json::json!({
            "pc": 0, "op": "STOP", "gas": 0, "gasCost": 0, "depth": 1
        }))
        .unwrap();
        let frame = DefaultFrame {
            struct_logs: vec![log; 5],
            ..Default::default()
        };
        let GethTrace::Default(limited) = limit_struct_logs(GethTrace::Default(frame), Some(2))
        else {
            panic!("not a default frame")
        };
        assert_eq!(limited.struct_logs.len(), 2);
    }
}
