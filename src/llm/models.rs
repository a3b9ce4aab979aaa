//! What a server says of itself, asked once before the first prompt is sent:
//! - the models it serves (`GET {base}/models`: OpenAI, vLLM, llama.cpp, LiteLLM and
//!   Ollama all list them). A model the list does not name stops the run before anything
//!   is spent, since a server that answers under any name (llama.cpp does) would
//!   otherwise put a small model's words under a large one's name. A server without the
//!   list is not an error;
//! - how many requests it works on at once, where it says: llama.cpp's server gives
//!   `total_slots` in `GET /props` (beside `/v1`), and llama-cpp-python's server, which
//!   lists its models as `"owned_by": "me"`, answers one request at a time. Sending more
//!   than that only queues them into timeouts.

use serde_json::Value;

use super::client::Client;
use super::errors::one_line;

/// What the models list says of the run's model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelCheck {
    /// Listed.
    Served,
    /// The server gives no list (or not one willai can read): why, for a note.
    Unlisted(String),
    /// Listed, and the run's model is not among them: what it serves.
    NotServed(Vec<String>),
}

/// Whether a listed id names the model asked for: exactly, or as Ollama's `name:latest`,
/// or Google's `models/name`.
fn names(id: &str, model: &str) -> bool {
    id == model
        || id.strip_suffix(":latest") == Some(model)
        || model.strip_suffix(":latest") == Some(id)
        || id.strip_prefix("models/") == Some(model)
}

/// How long a GET of what the server says of itself may take.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The most characters of a listed id kept for a message (a model's name is short).
const ID_CHARS: usize = 100;

/// The ids of an OpenAI-style list (`{"data": [{"id": ...}]}`), if it is one.
pub fn listed_ids(v: &Value) -> Option<Vec<&str>> {
    let data = v.get("data")?.as_array()?;
    let ids: Vec<&str> = data
        .iter()
        .filter_map(|m| m.get("id").and_then(Value::as_str))
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// A listed id as a message shows it: what a server says is shown as it may be (one
/// line, a control character as its escape, a long id cut).
fn shown_id(id: &str) -> String {
    let mut shown: String = crate::text::visible_line(id)
        .chars()
        .take(ID_CHARS)
        .collect();
    if id.chars().count() > ID_CHARS {
        shown.push('…');
    }
    shown
}

/// What the server said of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub model: ModelCheck,
    /// Requests it works on at once, and how that is known.
    pub slots: Option<(usize, &'static str)>,
}

/// Where llama.cpp's server answers `/props`: beside the `/v1` of the base URL.
fn props_url(base_url: &str) -> String {
    let root = base_url.trim_end_matches('/');
    let root = root.strip_suffix("/v1").unwrap_or(root);
    format!("{root}/props")
}

/// llama-cpp-python's server lists every model as `"owned_by": "me"` (and serves one
/// request at a time, under a lock).
fn is_llama_cpp_python(models: &Value) -> bool {
    models
        .get("data")
        .and_then(Value::as_array)
        .is_some_and(|d| !d.is_empty() && d.iter().all(|m| m["owned_by"] == "me"))
}

impl Client {
    /// Asks the server, once, before the first prompt is sent: whether it lists the
    /// run's model, and how many requests it works on at once.
    pub async fn probe(&self) -> Probe {
        let url = self.endpoint.models_url();
        let listing = self.get_json(&url).await;
        let model = match &listing {
            Err(why) => ModelCheck::Unlisted(why.clone()),
            Ok(v) => match listed_ids(v) {
                None => ModelCheck::Unlisted("the answer is not a list of models".into()),
                Some(ids) if ids.iter().any(|id| names(id, &self.endpoint.model)) => {
                    ModelCheck::Served
                }
                Some(ids) => ModelCheck::NotServed(ids.into_iter().map(shown_id).collect()),
            },
        };
        if matches!(model, ModelCheck::NotServed(_)) {
            return Probe { model, slots: None };
        }
        let slots = match self.get_json(&props_url(&self.endpoint.base_url)).await {
            Ok(props) => props
                .get("total_slots")
                .and_then(Value::as_u64)
                .filter(|n| *n >= 1)
                .map(|n| (n as usize, "its /props gives total_slots")),
            Err(_) => None,
        }
        .or_else(|| {
            listing
                .as_ref()
                .ok()
                .filter(|v| is_llama_cpp_python(v))
                .map(|_| (1, "llama-cpp-python's server answers one request at a time"))
        });
        Probe { model, slots }
    }

    /// A GET of a small JSON document from the server (the key sent as for chat), read
    /// up to `max_reply_bytes`: the document, or why not (a status, not JSON, no answer).
    pub(super) async fn get_json(&self, url: &str) -> Result<Value, String> {
        let secret = self.endpoint.api_key.as_ref().map(|k| k.expose());
        // A server that does not answer a GET soon is taken as one without the list: the
        // run goes on rather than wait a chat request's patience first.
        let patience = self.endpoint.timeout.min(PROBE_TIMEOUT);
        let resp = self
            .with_key(self.http.get(url).timeout(patience))
            .send()
            .await
            .map_err(|e| super::errors::mask(&format!("no answer ({e})"), secret))?;
        let status = resp.status().as_u16();
        let bytes = self
            .read_capped(resp)
            .await
            .map_err(|e| super::errors::mask(&format!("the answer broke off ({e})"), secret))?
            .ok_or_else(|| "the answer is larger than max_reply_bytes".to_string())?;
        if !(200..300).contains(&status) {
            return Err(format!("HTTP {status}: {}", one_line(&bytes, secret)));
        }
        serde_json::from_slice(&bytes).map_err(|_| "the answer is not JSON".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_ids_name_the_model_as_servers_write_it() {
        assert!(names("gpt-4o-mini", "gpt-4o-mini"));
        assert!(!names("gpt-4o-mini-2024-07-18", "gpt-4o-mini"));
        assert!(names("llama3:latest", "llama3"));
        assert!(names("llama3", "llama3:latest"));
        assert!(names("models/gemini-1.5-flash", "gemini-1.5-flash"));
        assert!(!names("smollm2", "gpt-4o-mini"));
        let list =
            serde_json::json!({"object": "list", "data": [{"id": "smollm2", "object": "model"}]});
        assert_eq!(listed_ids(&list), Some(vec!["smollm2"]));
        // What a server says is shown as escapes, and cut.
        assert_eq!(shown_id("evil\u{1b}[2Jname"), "evil\\u001b[2Jname");
        assert_eq!(shown_id(&"x".repeat(500)).chars().count(), ID_CHARS + 1);
        assert_eq!(listed_ids(&serde_json::json!({"models": []})), None);
        assert_eq!(listed_ids(&serde_json::json!({"data": []})), None);
        assert!(is_llama_cpp_python(
            &serde_json::json!({"object": "list", "data": [
            {"id": "smollm2", "object": "model", "owned_by": "me", "permissions": []}]})
        ));
        assert!(!is_llama_cpp_python(&list));
    }

    #[test]
    fn props_are_beside_the_v1_of_the_base_url() {
        assert_eq!(
            props_url("http://127.0.0.1:8080/v1"),
            "http://127.0.0.1:8080/props"
        );
        assert_eq!(props_url("http://h:1/llama/v1/"), "http://h:1/llama/props");
        assert_eq!(props_url("http://h:1"), "http://h:1/props");
    }
}
