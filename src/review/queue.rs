//! What `willai review` puts in front of an editor, and in which order. The queue is
//! built once, from `lifecycle::items` of the selected professions, as a list of
//! references (profession, kind, id) with what the order needs; each screen then reads
//! its entry fresh from the record, so the queue never shows stale text.
//!
//! Lowest confidence first by default: the model's least certain levels are where a
//! wrong level is most likely (`willai eval` measures whether that holds). Items without
//! a confidence (skills, hand-written text) come after, in profession order.

use crate::catalog::Occupation;
use crate::lifecycle::{self, Current, Item};
use crate::record::{AnyEntry, Kind, Record};
use crate::store::{Store, StoreError};

/// Which items to review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "lowercase")]
pub enum QueueFilter {
    /// Text not yet approved (drafted, edited, or edited after its approval).
    Draft,
    /// Machine proposals waiting beside edited or approved text.
    Proposal,
    /// Items drafted with another task text, template or model.
    Stale,
}

/// The order of the queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "lowercase")]
pub enum Order {
    /// The model's least certain levels first; items without a confidence last.
    #[default]
    Confidence,
    /// Profession by profession, in catalog order.
    Profession,
}

/// One item to review: where it is, and what the order and the screen header need.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueItem {
    /// The profession's slug and name.
    pub slug: String,
    pub profession: String,
    pub kind: Kind,
    pub id: String,
    /// The task's title (else its statement) or the skill's name, as the queue was built.
    pub label: String,
    /// The newest machine text's confidence, when there is one.
    pub confidence: Option<f64>,
    /// Place among the profession's items (catalog order), for ties.
    pub position: usize,
}

impl QueueItem {
    /// `widget-makers/sort-widgets`, `ml-engineer/skills/python`.
    pub fn name(&self) -> String {
        match self.kind {
            Kind::Task => format!("{}/{}", self.slug, self.id),
            Kind::Skill => format!("{}/skills/{}", self.slug, self.id),
        }
    }
}

/// Whether an item belongs in the queue: it has text to decide on, and that text is
/// what `only` asks for (by default: awaiting approval, or a proposal waiting).
pub fn wanted(item: &Item, entry: &dyn AnyEntry, only: Option<QueueFilter>) -> bool {
    let text = entry.has_content() || entry.has_proposal();
    let awaiting = entry.has_content() && !entry.is_approved_intact();
    text && match only {
        None => awaiting || entry.has_proposal(),
        Some(QueueFilter::Draft) => awaiting,
        Some(QueueFilter::Proposal) => entry.has_proposal(),
        Some(QueueFilter::Stale) => item.is_stale(),
    }
}

/// The items of one profession that belong in the queue.
pub fn of_profession(
    occ: &Occupation,
    record: &Record,
    cur: &Current,
    only: Option<QueueFilter>,
) -> Vec<QueueItem> {
    lifecycle::items(occ, Some(record), cur)
        .into_iter()
        .enumerate()
        .filter_map(|(position, item)| {
            let entry = record.entry(item.kind, &item.id)?;
            wanted(&item, entry, only).then(|| QueueItem {
                slug: occ.slug.clone(),
                profession: occ.name.clone(),
                kind: item.kind,
                confidence: entry.confidence().map(|c| c.value),
                id: item.id,
                label: item.label,
                position,
            })
        })
        .collect()
}

/// The queue over the given professions (in catalog order), sorted. A record that
/// cannot be read stops the build: reviewing around it would hide its items.
pub fn build<'c>(
    store: &Store,
    occupations: impl IntoIterator<Item = &'c Occupation>,
    cur: &Current,
    only: Option<QueueFilter>,
    order: Order,
) -> Result<Vec<QueueItem>, StoreError> {
    let mut queue = Vec::new();
    for (occ, read) in store.records(occupations) {
        if let Some(record) = read? {
            queue.extend(of_profession(occ, &record, cur, only));
        }
    }
    sort(&mut queue, order);
    Ok(queue)
}

/// Sorts the queue: by confidence (lowest first, unknown last), or by profession; ties
/// always by profession slug, then catalog order.
pub fn sort(queue: &mut [QueueItem], order: Order) {
    let by_place =
        |a: &QueueItem, b: &QueueItem| a.slug.cmp(&b.slug).then(a.position.cmp(&b.position));
    match order {
        Order::Profession => queue.sort_by(by_place),
        Order::Confidence => queue.sort_by(|a, b| match (a.confidence, b.confidence) {
            (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| by_place(a, b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => by_place(a, b),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(slug: &str, position: usize, confidence: Option<f64>) -> QueueItem {
        QueueItem {
            slug: slug.into(),
            profession: slug.into(),
            kind: Kind::Task,
            id: format!("t{position}"),
            label: String::new(),
            confidence,
            position,
        }
    }

    #[test]
    fn lowest_confidence_first_unknown_last_ties_by_place() {
        let mut queue = vec![
            q("b", 0, None),
            q("b", 1, Some(0.9)),
            q("a", 2, Some(0.4)),
            q("a", 1, None),
            q("c", 0, Some(0.4)),
            q("a", 0, Some(0.7)),
        ];
        sort(&mut queue, Order::Confidence);
        let got: Vec<String> = queue.iter().map(QueueItem::name).collect();
        assert_eq!(got, ["a/t2", "c/t0", "a/t0", "b/t1", "a/t1", "b/t0"]);
        sort(&mut queue, Order::Profession);
        let got: Vec<String> = queue.iter().map(QueueItem::name).collect();
        assert_eq!(got, ["a/t0", "a/t1", "a/t2", "b/t0", "b/t1", "c/t0"]);
    }
}
