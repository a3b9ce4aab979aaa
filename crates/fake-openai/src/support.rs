//! Optional request parameters (`logprobs`, `n`) and how far a server honours them.
//!
//! OpenAI-compatible servers differ here: `OpenAI` and vLLM return token
//! log-probabilities and several choices, some servers accept the fields and
//! silently drop them, others answer 400. A client that relies on them must
//! cope with all three, so each behaviour can be chosen per parameter.

use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::reply::{self, Body};

/// Most choices one request may ask for with `n` (`OpenAI` allows more; tests need few).
pub(crate) const MAX_N: u64 = 16;

/// Most alternatives per token one request may ask for with `top_logprobs`, as in `OpenAI`.
pub(crate) const MAX_TOP_LOGPROBS: u64 = 20;

/// How the server treats an optional request parameter such as `logprobs` or `n`
/// (see [`Options::logprobs`](crate::Options::logprobs) and [`Options::n`](crate::Options::n)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Support {
    /// The parameter is honoured, as `OpenAI` does; out-of-range values get a 400.
    #[default]
    Yes,
    /// The parameter is accepted and silently ignored: no `logprobs` in the
    /// choices, a single choice whatever `n` asks for.
    Ignore,
    /// A request that uses the parameter is answered with this status and an
    /// OpenAI-style error body naming the parameter (invalid statuses become 400).
    Refuse(u16),
}

/// Tags of [`Support`] in its atomic encoding: the status sits in the low 16 bits.
const IGNORE: u32 = 1 << 16;
const REFUSE: u32 = 2 << 16;

impl Support {
    /// A `u32` for an atomic setting; [`Support::decode`] reverses it.
    pub(crate) fn encode(self) -> u32 {
        match self {
            Support::Yes => 0,
            Support::Ignore => IGNORE,
            Support::Refuse(status) => REFUSE | u32::from(status),
        }
    }

    pub(crate) fn decode(bits: u32) -> Support {
        match bits & !0xffff {
            IGNORE => Support::Ignore,
            // The mask keeps only the low 16 bits, so the conversion cannot fail.
            REFUSE => Support::Refuse(u16::try_from(bits & 0xffff).unwrap_or(400)),
            _ => Support::Yes,
        }
    }
}

/// What a request gets, once the server's [`Support`] settings are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sampling {
    /// Number of choices, at least 1.
    pub(crate) n: usize,
    /// `Some(k)`: every choice carries log-probabilities with `k` alternatives per token.
    pub(crate) top_logprobs: Option<usize>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            n: 1,
            top_logprobs: None,
        }
    }
}

/// Why a request is answered with an error instead of a completion.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    message: &'static str,
    param: &'static str,
    code: &'static str,
}

impl Refusal {
    fn unsupported(status: u16, message: &'static str, param: &'static str) -> Refusal {
        Refusal {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            message,
            param,
            code: "unsupported_parameter",
        }
    }

    fn invalid(message: &'static str, param: &'static str) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            message,
            param,
            code: "invalid_value",
        }
    }

    pub(crate) fn response(&self) -> Response<Body> {
        reply::error(
            self.status,
            self.message,
            "invalid_request_error",
            Some(self.param),
            Some(self.code),
        )
    }
}

impl Sampling {
    /// Reads `logprobs`, `top_logprobs` and `n` from `request` under the given settings.
    pub(crate) fn read(
        request: &Value,
        logprobs: Support,
        n: Support,
    ) -> Result<Sampling, Refusal> {
        Ok(Sampling {
            top_logprobs: read_logprobs(request, logprobs)?,
            n: read_n(request, n)?,
        })
    }
}

/// Absent, `null` and `false` all mean "not asked for", as in `OpenAI`.
fn unset(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null | Value::Bool(false)))
}

fn read_logprobs(request: &Value, support: Support) -> Result<Option<usize>, Refusal> {
    let asked = request.get("logprobs");
    match support {
        Support::Ignore => return Ok(None),
        Support::Refuse(status) if !unset(asked) => {
            return Err(Refusal::unsupported(
                status,
                "logprobs is not supported by this model",
                "logprobs",
            ));
        }
        Support::Refuse(_) => return Ok(None),
        Support::Yes => {}
    }
    match asked {
        Some(Value::Bool(true)) => {}
        _ if unset(asked) => return Ok(None),
        _ => return Err(Refusal::invalid("logprobs must be a boolean", "logprobs")),
    }
    // `top_logprobs` means nothing without `logprobs`, so it is only read here.
    let top = match request.get("top_logprobs") {
        None | Some(Value::Null) => Some(0),
        Some(value) => value.as_u64().filter(|k| *k <= MAX_TOP_LOGPROBS),
    };
    top.and_then(|k| usize::try_from(k).ok())
        .map(Some)
        .ok_or_else(|| {
            Refusal::invalid(
                "top_logprobs must be an integer between 0 and 20",
                "top_logprobs",
            )
        })
}

fn read_n(request: &Value, support: Support) -> Result<usize, Refusal> {
    let asked = match request.get("n") {
        None | Some(Value::Null) => return Ok(1),
        Some(value) => value.as_u64(),
    };
    match support {
        Support::Ignore => Ok(1),
        Support::Refuse(_) if asked == Some(1) => Ok(1),
        Support::Refuse(status) => Err(Refusal::unsupported(status, "n must be 1", "n")),
        Support::Yes => asked
            .filter(|n| (1..=MAX_N).contains(n))
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| Refusal::invalid("n must be an integer between 1 and 16", "n")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn encoding_round_trips() {
        for support in [
            Support::Yes,
            Support::Ignore,
            Support::Refuse(0),
            Support::Refuse(400),
            Support::Refuse(u16::MAX),
        ] {
            assert_eq!(Support::decode(support.encode()), support);
        }
    }

    #[test]
    fn parameters_are_read_under_each_setting() {
        let read = |body: Value, support: Support| {
            Sampling::read(&body, support, support).map_err(|refusal| refusal.param)
        };
        let full = json!({"logprobs": true, "top_logprobs": 4, "n": 3});
        assert_eq!(
            read(full.clone(), Support::Yes),
            Ok(Sampling {
                n: 3,
                top_logprobs: Some(4)
            })
        );
        assert_eq!(read(full.clone(), Support::Ignore), Ok(Sampling::default()));
        assert_eq!(read(full, Support::Refuse(422)), Err("logprobs"));
        assert_eq!(
            read(json!({"logprobs": false, "n": 1}), Support::Refuse(422)),
            Ok(Sampling::default())
        );
        assert_eq!(read(json!({"n": 2}), Support::Refuse(422)), Err("n"));
        assert_eq!(
            read(json!({"logprobs": true}), Support::Yes),
            Ok(Sampling {
                n: 1,
                top_logprobs: Some(0)
            })
        );
        assert_eq!(
            read(json!({"top_logprobs": 99}), Support::Yes),
            Ok(Sampling::default())
        );
        assert_eq!(
            read(json!({"logprobs": true, "top_logprobs": 21}), Support::Yes),
            Err("top_logprobs")
        );
        assert_eq!(
            read(json!({"logprobs": "yes"}), Support::Yes),
            Err("logprobs")
        );
        assert_eq!(read(json!({"n": 0}), Support::Yes), Err("n"));
        assert_eq!(read(json!({"n": 17}), Support::Yes), Err("n"));
        assert_eq!(
            read(json!({"n": "2"}), Support::Ignore),
            Ok(Sampling::default())
        );
    }
}
