//! [`Params`]: the `params` member of a request, with accessors shaped for Ethereum methods.
//!
//! Ethereum methods take positional arguments whose trailing optional ones may be omitted
//! (`eth_getBalance(addr)` means `latest`). The accessors follow geth's rules and wording so
//! clients see the same -32602 messages:
//!
//! - an argument that does not decode: `invalid argument <i>: <reason>`;
//! - a required argument that is missing: `missing value for required argument <i>`;
//! - more arguments than the method takes: `too many arguments, want at most <n>`;
//! - an explicit `null` for an optional argument counts as omitted.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::RpcError;

/// The `params` of one call: absent, a JSON array (positional) or a JSON object (named).
///
/// `null` is accepted as absent, as geth does, although the spec does not allow it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(Option<Value>);

impl Params {
    /// No params.
    pub fn none() -> Self {
        Self(None)
    }

    /// Positional params, e.g. for calling a handler in a unit test.
    pub fn array(args: Vec<Value>) -> Self {
        Self(Some(Value::Array(args)))
    }

    /// Params from a request's `params` member; `None` when it is neither absent, `null`, an
    /// array nor an object (the request is then invalid).
    pub(crate) fn from_member(value: Option<Value>) -> Option<Self> {
        match value {
            None | Some(Value::Null) => Some(Self(None)),
            Some(value @ (Value::Array(_) | Value::Object(_))) => Some(Self(Some(value))),
            Some(_) => None,
        }
    }

    /// The raw params: `None` when absent, otherwise an array or an object.
    pub fn as_value(&self) -> Option<&Value> {
        self.0.as_ref()
    }

    /// Number of positional arguments (0 when absent; 0 for named params).
    pub fn len(&self) -> usize {
        match &self.0 {
            Some(Value::Array(args)) => args.len(),
            _ => 0,
        }
    }

    /// Whether there are no positional arguments.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The positional arguments; named params are rejected as geth does ("non-array args").
    fn positional(&self) -> Result<&[Value], RpcError> {
        match &self.0 {
            None => Ok(&[]),
            Some(Value::Array(args)) => Ok(args),
            Some(_) => Err(RpcError::invalid_params("non-array args")),
        }
    }

    /// Argument `index`, which must be present and decode as `T`.
    pub fn required<T: DeserializeOwned>(&self, index: usize) -> Result<T, RpcError> {
        match self.positional()?.get(index) {
            Some(arg) => decode(arg, index),
            None => Err(missing(index)),
        }
    }

    /// Argument `index` if present and not `null`.
    pub fn optional<T: DeserializeOwned>(&self, index: usize) -> Result<Option<T>, RpcError> {
        match self.positional()?.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(arg) => decode(arg, index).map(Some),
        }
    }

    /// Rejects calls with more than `max` positional arguments.
    pub fn ensure_at_most(&self, max: usize) -> Result<(), RpcError> {
        if self.positional()?.len() > max {
            return Err(RpcError::invalid_params(format!(
                "too many arguments, want at most {max}"
            )));
        }
        Ok(())
    }

    /// All positional arguments at once as a tuple, with the arity checked:
    ///
    /// ```
    /// # use tributary_rpc::Params;
    /// # use serde_json::json;
    /// let params = Params::array(vec![json!("0xab"), json!(7)]);
    /// let (who, at, full): (String, Option<u64>, Option<bool>) = params.parse().unwrap();
    /// assert_eq!((who.as_str(), at, full), ("0xab", Some(7), None));
    /// ```
    ///
    /// Trailing `Option` elements may be omitted by the caller; any other missing element
    /// is "missing value for required argument i".
    pub fn parse<T: FromParams>(&self) -> Result<T, RpcError> {
        T::from_params(self)
    }

    /// The whole params (array or object) decoded as one `T`, for methods taking named
    /// arguments; absent params decode from `null`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, RpcError> {
        T::deserialize(self.0.as_ref().unwrap_or(&Value::Null))
            .map_err(|err| RpcError::invalid_params(format!("invalid params: {err}")))
    }
}

fn decode<T: DeserializeOwned>(arg: &Value, index: usize) -> Result<T, RpcError> {
    T::deserialize(arg)
        .map_err(|err| RpcError::invalid_params(format!("invalid argument {index}: {err}")))
}

fn missing(index: usize) -> RpcError {
    RpcError::invalid_params(format!("missing value for required argument {index}"))
}

/// Argument `index` of a tuple: present ones decode; omitted ones decode from `null`, which
/// only types that accept `null` (`Option`, `Value`, `()`) do, so required ones report missing.
fn element<T: DeserializeOwned>(args: &[Value], index: usize) -> Result<T, RpcError> {
    match args.get(index) {
        Some(arg) => decode(arg, index),
        None => T::deserialize(&Value::Null).map_err(|_| missing(index)),
    }
}

/// Types [`Params::parse`] can produce: tuples of up to eight arguments and `()`.
pub trait FromParams: Sized {
    /// Decodes the positional arguments.
    fn from_params(params: &Params) -> Result<Self, RpcError>;
}

impl FromParams for () {
    fn from_params(params: &Params) -> Result<Self, RpcError> {
        params.ensure_at_most(0)
    }
}

macro_rules! tuple_from_params {
    ($arity:literal; $($ty:ident = $index:tt),+) => {
        impl<$($ty: DeserializeOwned),+> FromParams for ($($ty,)+) {
            fn from_params(params: &Params) -> Result<Self, RpcError> {
                params.ensure_at_most($arity)?;
                let args = params.positional()?;
                Ok(($(element::<$ty>(args, $index)?,)+))
            }
        }
    };
}

tuple_from_params!(1; A = 0);
tuple_from_params!(2; A = 0, B = 1);
tuple_from_params!(3; A = 0, B = 1, C = 2);
tuple_from_params!(4; A = 0, B = 1, C = 2, D = 3);
tuple_from_params!(5; A = 0, B = 1, C = 2, D = 3, E = 4);
tuple_from_params!(6; A = 0, B = 1, C = 2, D = 3, E = 4, F = 5);
tuple_from_params!(7; A = 0, B = 1, C = 2, D = 3, E = 4, F = 5, G = 6);
tuple_from_params!(8; A = 0, B = 1, C = 2, D = 3, E = 4, F = 5, G = 6, H = 7);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(err: RpcError) -> String {
        assert_eq!(err.code(), RpcError::INVALID_PARAMS);
        err.message().to_owned()
    }

    #[test]
    fn trailing_optionals_may_be_omitted() {
        let params = Params::array(vec![json!("0xab")]);
        let (a, b): (String, Option<String>) = params.parse().unwrap();
        assert_eq!((a.as_str(), b), ("0xab", None));
        let params = Params::array(vec![json!("0xab"), Value::Null]);
        let (_, b): (String, Option<String>) = params.parse().unwrap();
        assert_eq!(b, None);
    }

    #[test]
    fn geth_messages() {
        let params = Params::array(vec![json!(1), json!(2), json!(3)]);
        assert_eq!(
            message(params.parse::<(u64, Option<u64>)>().unwrap_err()),
            "too many arguments, want at most 2"
        );
        assert_eq!(
            message(Params::none().parse::<(u64,)>().unwrap_err()),
            "missing value for required argument 0"
        );
        let params = Params::array(vec![json!(1), json!("x")]);
        assert_eq!(
            message(params.parse::<(u64, u64)>().unwrap_err()),
            "invalid argument 1: invalid type: string \"x\", expected u64"
        );
        assert_eq!(
            message(params.required::<u64>(2).unwrap_err()),
            "missing value for required argument 2"
        );
        assert_eq!(params.optional::<u64>(5).unwrap(), None);
        assert_eq!(
            message(params.ensure_at_most(1).unwrap_err()),
            "too many arguments, want at most 1"
        );
    }

    #[test]
    fn named_params() {
        let params = Params::from_member(Some(json!({"a": 1}))).unwrap();
        assert_eq!(
            message(params.required::<u64>(0).unwrap_err()),
            "non-array args"
        );
        #[derive(serde::Deserialize)]
        struct Named {
            a: u64,
        }
        assert_eq!(params.deserialize::<Named>().unwrap().a, 1);
    }

    #[test]
    fn member_shapes() {
        assert_eq!(Params::from_member(Some(Value::Null)), Some(Params::none()));
        assert_eq!(Params::from_member(Some(json!(1))), None);
        assert_eq!(Params::from_member(Some(json!("x"))), None);
    }
}
