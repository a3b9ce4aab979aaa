//! Which professions are ranked among the most exposed, in which order, and how each
//! compares with its field and with all professions.
//!
//! A share of HIGH tasks is a profession's only when enough of it is reviewed: a
//! profession is *in review* (listed, never ranked, its shares never given as the
//! profession's) until `[site] rank_coverage` percent of its catalog tasks are shown;
//! then it is *ranked apart* while it has fewer than `[site] rank_min_tasks` tasks (one
//! task moves its share too much to set it among the others), else *ranked*. Ranks go
//! by the exact share (cross-multiplied, never a rounded one), equal shares sharing a
//! rank (1, 2, 2, 4), names breaking ties in the list; every printed share is rounded
//! one way ([`super::chart::percent`]), so the printed order never inverts.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::chart::percent;
use super::view::{Compare, Profession, Standing};
use crate::config::Ranking;

/// Where a profession stands, from its coverage and its task count.
pub fn standing(p: &Profession, ranking: &Ranking) -> Standing {
    let shown = p.counts.tasks;
    let catalog = p.coverage.tasks.max(shown);
    if shown == 0 || shown * 100 < ranking.coverage as usize * catalog {
        Standing::InReview
    } else if shown < ranking.min_tasks {
        Standing::FewTasks
    } else {
        Standing::Ranked
    }
}

/// Most exposed first: the exact share of HIGH tasks, highest first, then by name (as
/// readers sort, without case), then by slug.
pub fn by_exposure(a: &Profession, b: &Profession) -> Ordering {
    exposure(a, b).then_with(|| by_name(a, b))
}

fn exposure(a: &Profession, b: &Profession) -> Ordering {
    let lhs = b.counts.high * a.counts.tasks.max(1);
    let rhs = a.counts.high * b.counts.tasks.max(1);
    lhs.cmp(&rhs)
}

/// By name, without case, then by slug.
pub fn by_name(a: &Profession, b: &Profession) -> Ordering {
    a.name
        .to_lowercase()
        .cmp(&b.name.to_lowercase())
        .then_with(|| a.slug.cmp(&b.slug))
}

/// Sets every profession's standing, rank and comparison.
pub fn assign(professions: &mut [Profession], ranking: &Ranking) {
    for p in professions.iter_mut() {
        p.standing = standing(p, ranking);
        p.rank = None;
    }
    let mut ranked: Vec<usize> = (0..professions.len())
        .filter(|&i| professions[i].standing == Standing::Ranked)
        .collect();
    ranked.sort_by(|&a, &b| by_exposure(&professions[a], &professions[b]));
    // Competition ranking: equal shares share a rank, the next rank skips.
    let mut rank = 0;
    for (k, &i) in ranked.iter().enumerate() {
        if k == 0 || exposure(&professions[ranked[k - 1]], &professions[i]) != Ordering::Equal {
            rank = k + 1;
        }
        professions[i].rank = Some(rank);
    }
    // Pooled shares over the professions that are not in review: per field, and all.
    let mut fields: BTreeMap<&'static str, (usize, usize, usize)> = BTreeMap::new();
    let mut all = (0usize, 0usize, 0usize);
    for p in professions
        .iter()
        .filter(|p| p.standing != Standing::InReview)
    {
        let f = fields.entry(p.group.code).or_default();
        for t in [f, &mut all] {
            t.0 += p.counts.high;
            t.1 += p.counts.tasks;
            t.2 += 1;
        }
    }
    let count = ranked.len();
    for p in professions.iter_mut() {
        let field = fields.get(p.group.code).copied().unwrap_or_default();
        p.compare = Compare {
            field: percent(field.0, field.1),
            field_professions: field.2,
            all: percent(all.0, all.1),
            all_professions: all.2,
            rank: p.rank,
            ranked: count,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::view::sample::profession;

    fn prof(id: &str, soc: &str, high: usize, tasks: usize, catalog: usize) -> Profession {
        let mut p = profession(id, Some(soc));
        p.counts.high = high;
        p.counts.tasks = tasks;
        p.coverage.tasks = catalog;
        p
    }

    const RANKING: Ranking = Ranking {
        coverage: 90,
        min_tasks: 10,
    };

    #[test]
    fn coverage_and_task_count_decide_the_standing() {
        // 1 of Chief Executives' 30 tasks approved: in review, not "100% HIGH".
        assert_eq!(
            standing(&prof("ceo", "11-1011.00", 1, 1, 30), &RANKING),
            Standing::InReview
        );
        assert_eq!(
            standing(&prof("a", "11-1", 5, 26, 30), &RANKING),
            Standing::InReview
        );
        assert_eq!(
            standing(&prof("a", "11-1", 5, 27, 30), &RANKING),
            Standing::Ranked
        );
        // Shampooers: 4 tasks, all reviewed: ranked apart.
        assert_eq!(
            standing(&prof("s", "39-5093.00", 3, 4, 4), &RANKING),
            Standing::FewTasks
        );
        assert_eq!(
            standing(&prof("s", "39-5093.00", 0, 0, 4), &RANKING),
            Standing::InReview
        );
        let every = Ranking {
            coverage: 100,
            min_tasks: 1,
        };
        assert_eq!(
            standing(&prof("a", "11-1", 5, 29, 30), &every),
            Standing::InReview
        );
        assert_eq!(
            standing(&prof("a", "11-1", 5, 30, 30), &every),
            Standing::Ranked
        );
    }

    #[test]
    fn ranks_follow_the_exact_share_and_ties_share_a_rank() {
        let mut all = vec![
            prof("b", "15-1", 10, 16, 16), // 62.5%
            prof("a", "15-2", 5, 8, 8),    // 62.5%: shares b's rank
            prof("c", "23-1", 13, 20, 20), // 65%
            prof("d", "23-2", 1, 20, 20),  // 5%
            prof("e", "23-3", 3, 4, 4),    // few tasks
            prof("f", "43-1", 9, 9, 30),   // in review
        ];
        assign(
            &mut all,
            &Ranking {
                coverage: 90,
                min_tasks: 8,
            },
        );
        let rank = |id: &str| all.iter().find(|p| p.id == id).unwrap().rank;
        assert_eq!(rank("c"), Some(1));
        assert_eq!(rank("a"), Some(2));
        assert_eq!(rank("b"), Some(2));
        assert_eq!(rank("d"), Some(4));
        assert_eq!(rank("e"), None);
        assert_eq!(rank("f"), None);
        let mut order: Vec<&Profession> = all.iter().filter(|p| p.rank.is_some()).collect();
        order.sort_by(|a, b| by_exposure(a, b));
        let ids: Vec<&str> = order.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b", "d"]);
        // The printed shares never rise down the list.
        let printed: Vec<u32> = order
            .iter()
            .map(|p| percent(p.counts.high, p.counts.tasks))
            .collect();
        assert!(printed.windows(2).all(|w| w[0] >= w[1]), "{printed:?}");
        // Field and all: pooled over professions not in review (f is left out).
        let c = &all.iter().find(|p| p.id == "d").unwrap().compare;
        assert_eq!((c.field, c.field_professions), (percent(17, 44), 3));
        assert_eq!((c.all, c.all_professions), (percent(32, 68), 5));
        assert_eq!(c.ranked, 4);
    }
}
