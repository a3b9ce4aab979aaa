//! `draft --dry-run`: what a run would do, prompt by prompt, without sending or writing
//! anything. A plain function over the plans; the command prints its rows.

use crate::catalog::Catalog;
use crate::llm::{build_body, first_variant};
use crate::prompt::{Message, PromptError, Prompts};
use crate::record::Kind;

use super::estimate::{Counter, Estimate};
use super::lookup::Lookup;
use super::plan::{self, ProfessionPlan};

/// One prompt of the run.
pub struct Row {
    /// `ml-engineer/write-production-code` or `ml-engineer/skills`.
    pub label: String,
    /// The cache key that answers it, if the cache does.
    pub cached: Option<String>,
    /// Why its items are drafted.
    pub why: String,
    pub messages: Vec<Message>,
}

/// Renders every prompt of the plans and looks it up, handing each row to `emit` as it
/// goes (so the full catalog never sits in memory at once), and counts what the misses
/// would cost into `estimate`.
pub fn dry_run(
    plans: &[ProfessionPlan],
    catalog: &Catalog,
    prompts: &Prompts,
    lookup: &Lookup,
    counter: &mut Counter,
    estimate: &mut Estimate,
    emit: &mut dyn FnMut(Row),
) -> Result<(), PromptError> {
    let endpoint = lookup.endpoint;
    for p in plans {
        let occ = catalog.get(&p.slug).expect("planned from the catalog");
        for unit in plan::units(occ, p, prompts)? {
            let kind = match unit.targets.first().map(|t| t.kind) {
                Some(Kind::Task) => Kind::Task,
                _ => Kind::Skill,
            };
            let hit = lookup.find(&unit.prompt, &|w: String| eprintln!("{w}"));
            match &hit {
                Some((entry, _)) => estimate.cached(kind, entry.usage),
                None => {
                    let variant = first_variant(endpoint, &unit.prompt.ask, endpoint.mode);
                    let body = build_body(endpoint, &unit.prompt, variant, &[]);
                    estimate.to_send(kind, counter.body(&body));
                }
            }
            emit(Row {
                label: unit.label(),
                cached: hit.map(|(entry, _)| entry.key),
                why: unit.why(),
                messages: unit.prompt.messages,
            });
        }
    }
    Ok(())
}
