//! `willai draft`: turn catalog tasks into drafted exposure levels, rationales, tools
//! and tips (and skill assessments) through an OpenAI-compatible endpoint, every answer
//! cached by the hash of its request.
//!
//! The stages: plan (what is missing or stale), render (prompts), look up (cache), send
//! (the scheduler: client, bounded concurrency), apply (the sink: records, never
//! overwriting a person's text), report (progress and summary). `--dry-run` stops after
//! the lookup.

pub mod apply;
pub mod batch_out;
pub mod dry_run;
pub mod estimate;
pub mod exec;
pub mod lookup;
pub mod plan;
pub mod report;

/// A draft run that cannot start as asked (exit 2): the message says what to set.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(
        "prompts are not in the cache and no endpoint is configured: set OPENAI_API_KEY (for api.openai.com) \
         or OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1 from scripts/local-llm), or draft from the cache \
         only with --offline"
    )]
    NoEndpoint,
    #[error(
        "batch request files carry the reply schema: use --structured-output json_schema (OpenAI, vLLM) or json_object"
    )]
    BatchNeedsSchema,
    #[error(
        "{url} does not serve {model}: it lists {served} (GET {url}/models). Nothing was sent: \
         draft with a model it serves (--model, WILLAI_MODEL or `model` in willai.toml), or point \
         OPENAI_BASE_URL (--base-url) at an endpoint that serves {model}; if it does serve it \
         under that name though its list leaves it out (a gateway), pass --no-model-check"
    )]
    ModelNotServed {
        model: String,
        url: String,
        served: String,
    },
}

impl DraftError {
    /// The run's model is not among those the endpoint lists.
    pub fn model_not_served(endpoint: &crate::config::Endpoint, ids: &[String]) -> DraftError {
        DraftError::ModelNotServed {
            model: endpoint.model.clone(),
            url: endpoint.shown_url(),
            served: listed(ids),
        }
    }
}

/// The models an endpoint lists, as a message names them: at most a dozen.
pub fn listed(ids: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut served = ids
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        served.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    served
}
