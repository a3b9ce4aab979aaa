//! `willai audit report`: what an audit measured. From the judged items of the sample
//! and the project's levels now:
//!
//! - how often the editor's level differs from the drafted one, with its 95% Wilson
//!   interval, and the confusion matrix (rows drafted, columns judged);
//! - per level, its share in the whole population: as drafted, the PPI++ estimate with
//!   its 95% interval (`Y` the judged indicator on the sample, `Yhat` the drafted one,
//!   `Yhat_unlabeled` the current one on every task outside the sample), and the
//!   classical interval of the sample alone;
//! - the same per O*NET major group, each group on its own (a simple random sample
//!   restricted to a group is a simple random sample of that group).
//!
//! Unjudged items are counted and left out. Where the sample is too small for a normal
//! interval to mean anything, the report says so rather than print a number as if it
//! did ([`too_small`]); the JSON keeps the numbers for those who check them.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use super::estimate::{self, Interval, Paired, Ppi, Sums};
use super::file::Audit;
use super::sample::Population;
use crate::record::Level;
use crate::soc::{self, Group};
use crate::text::thousands;

/// Fewer judged tasks than this and no share is estimated. The intervals are normal
/// (Wald-type) intervals, exactly as ppi_py's: on the "GPTs are GPTs" labels they cover
/// the true share 91-93% of the time at 30 to 50 judged tasks, 92-94% at 100 and 95% at
/// 400 (`src/audit/validity.rs`), and at 30 they are some ±17 points wide anyway.
pub const MIN_JUDGED: usize = 100;

/// Below this many judged tasks the report adds that its intervals are a little
/// optimistic (see [`MIN_JUDGED`]).
pub const FULL_COVERAGE: usize = 400;

/// A level needs at least this many judged tasks at it, and as many at other levels: a
/// normal interval of a share is poor when either count is small (the usual rule asks
/// n·p ≥ 5 and n·(1−p) ≥ 5; 10 keeps coverage near its claim).
pub const MIN_EACH_SIDE: usize = 10;

/// Why a share cannot be estimated from `n` judged tasks of which `at_level` are at
/// `level` (`None` to ask about the sample as a whole); `None` when it can.
pub fn too_small(n: usize, level: Option<(Level, usize)>) -> Option<String> {
    if n == 0 {
        return Some("nothing judged yet".into());
    }
    if n < MIN_JUDGED {
        return Some(format!(
            "{} judged; a share needs at least {MIN_JUDGED}",
            plural(n, "task", "tasks")
        ));
    }
    let (level, at) = level?;
    let short = if at < MIN_EACH_SIDE {
        format!(
            "{at} of the {n} judged tasks {} {level}",
            if at == 1 { "is" } else { "are" }
        )
    } else if n - at < MIN_EACH_SIDE {
        let not = n - at;
        format!(
            "{not} of the {n} judged tasks {} not {level}",
            if not == 1 { "is" } else { "are" }
        )
    } else {
        return None;
    };
    Some(format!(
        "{short}; its share needs at least {MIN_EACH_SIDE} at {level} and {MIN_EACH_SIDE} at other levels"
    ))
}

/// One level's share in a population.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelShare {
    pub level: Level,
    /// The level's share among the tasks, the sampled ones counted as drafted.
    pub drafted_share: Option<f64>,
    /// Judged tasks at this level.
    pub judged_at: usize,
    pub ppi: Option<Ppi>,
    pub classical: Option<Interval>,
    /// Why the numbers say nothing, when they do not.
    pub too_small: Option<String>,
}

/// The shares of a population (the whole project, or one major group).
#[derive(Clone, Debug, PartialEq)]
pub struct Shares {
    /// Tasks: the population now, with the sampled tasks no longer in it.
    pub tasks: usize,
    pub sampled: usize,
    pub judged: usize,
    pub too_small: Option<String>,
    pub levels: Vec<LevelShare>,
}

/// The shares of one O*NET major group.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupShares {
    pub group: Group,
    pub shares: Shares,
}

/// Everything `audit report` says.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub name: String,
    pub seed: String,
    pub drawn: String,
    pub sampled: usize,
    /// Judged items (`n`).
    pub judged: usize,
    /// Of those, judged without seeing the drafted level.
    pub blind: usize,
    /// Tasks with a level now.
    pub population: usize,
    pub population_at_draw: usize,
    /// Whether the project's tasks changed since the draw (added, removed).
    pub population_changed: bool,
    /// Sampled tasks that no longer have a level in the project (still counted).
    pub gone: usize,
    /// Judged items whose level differs from the drafted one.
    pub disagreed: usize,
    pub disagreement: Option<Interval>,
    /// Counts by drafted level (rows) and judged level (columns), HIGH, MEDIUM, LOW.
    pub confusion: [[usize; 3]; 3],
    pub overall: Shares,
    pub groups: Vec<GroupShares>,
}

impl Report {
    pub fn unjudged(&self) -> usize {
        self.sampled - self.judged
    }
}

fn index(level: Level) -> usize {
    match level {
        Level::High => 0,
        Level::Medium => 1,
        Level::Low => 2,
    }
}

fn indicator(level: Level, at: Level) -> f64 {
    if level == at { 1.0 } else { 0.0 }
}

/// The labelled part (drafted, judged) and the unlabelled part (current levels outside
/// the sample) of one population, with the sampled items not judged.
#[derive(Default)]
struct Parts {
    labelled: Vec<(Level, Level)>,
    unjudged: Vec<Level>,
    outside: Vec<Level>,
}

impl Parts {
    fn shares(&self) -> Shares {
        let n = self.labelled.len();
        let tasks = n + self.unjudged.len() + self.outside.len();
        let levels = Level::ALL
            .iter()
            .map(|&level| {
                let at = |l: &Level| indicator(*l, level);
                let labelled = self
                    .labelled
                    .iter()
                    .fold(Paired::default(), |p, (d, j)| p.with(at(j), at(d)));
                let outside = self
                    .outside
                    .iter()
                    .fold(Sums::default(), |s, l| s.with(at(l)));
                let drafted =
                    labelled.yhat.sum + self.unjudged.iter().map(at).sum::<f64>() + outside.sum;
                let judged_at = labelled.y.sum as usize;
                LevelShare {
                    level,
                    drafted_share: (tasks > 0).then(|| drafted / tasks as f64),
                    judged_at,
                    ppi: estimate::ppi_mean(&labelled, outside),
                    classical: estimate::classical(labelled.y),
                    too_small: too_small(n, Some((level, judged_at))),
                }
            })
            .collect();
        Shares {
            tasks,
            sampled: n + self.unjudged.len(),
            judged: n,
            too_small: too_small(n, None),
            levels,
        }
    }
}

/// The parts of each major group, in SOC order.
type ByGroup = BTreeMap<(usize, &'static str), (Group, Parts)>;

fn part(by_group: &mut ByGroup, g: Group) -> &mut Parts {
    &mut by_group
        .entry((soc::rank(&g), g.code))
        .or_insert_with(|| (g, Parts::default()))
        .1
}

/// The report of an audit against the project's population now.
pub fn compute<'a>(name: &str, audit: &'a Audit, population: &'a Population) -> Report {
    let key = |p: &'a str, t: &'a str| (p, t);
    let sampled: HashSet<(&str, &str)> = audit
        .items
        .iter()
        .map(|i| key(&i.profession, &i.task))
        .collect();
    let current: HashSet<(&str, &str)> = population
        .members
        .iter()
        .map(|m| key(&m.profession, &m.task))
        .collect();
    let group_of = |profession: &str| soc::of(population.soc(profession));
    let mut overall = Parts::default();
    let mut by_group = ByGroup::new();
    let mut confusion = [[0usize; 3]; 3];
    let (mut judged, mut blind, mut disagreed, mut gone) = (0, 0, 0, 0);
    for item in &audit.items {
        let g = group_of(&item.profession);
        if !current.contains(&key(&item.profession, &item.task)) {
            gone += 1;
        }
        match item.judged {
            Some(j) => {
                judged += 1;
                blind += usize::from(item.blind == Some(true));
                disagreed += usize::from(j != item.drafted);
                confusion[index(item.drafted)][index(j)] += 1;
                overall.labelled.push((item.drafted, j));
                part(&mut by_group, g).labelled.push((item.drafted, j));
            }
            None => {
                overall.unjudged.push(item.drafted);
                part(&mut by_group, g).unjudged.push(item.drafted);
            }
        }
    }
    for m in &population.members {
        if !sampled.contains(&key(&m.profession, &m.task)) {
            overall.outside.push(m.level);
            part(&mut by_group, soc::of(m.soc.as_deref()))
                .outside
                .push(m.level);
        }
    }
    Report {
        name: name.to_string(),
        seed: audit.seed.clone(),
        drawn: audit.drawn.clone(),
        sampled: audit.items.len(),
        judged,
        blind,
        population: population.len(),
        population_at_draw: audit.population,
        population_changed: population.fingerprint() != audit.population_sha256,
        gone,
        disagreed,
        disagreement: estimate::wilson(disagreed, judged),
        confusion,
        overall: overall.shares(),
        groups: by_group
            .into_values()
            .map(|(group, parts)| GroupShares {
                group,
                shares: parts.shares(),
            })
            .collect(),
    }
}

/// A share as a percentage with one decimal, clipped to [0, 100].
fn pct(x: f64) -> String {
    format!("{:.1}%", (x * 100.0).clamp(0.0, 100.0))
}

/// "29.1% (26.0–32.4%)".
fn with_interval(i: &Interval) -> String {
    format!(
        "{} ({}–{})",
        pct(i.estimate),
        pct(i.low).trim_end_matches('%'),
        pct(i.high)
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// The report for people.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "audit {}: {} drawn on {} (seed {:?}) from {} with a level",
        r.name,
        plural(r.sampled, "task", "tasks"),
        r.drawn,
        r.seed,
        thousands(r.population_at_draw)
    ));
    let blind = if r.judged == 0 {
        String::new()
    } else if r.blind == r.judged {
        ", all blind".to_string()
    } else if r.blind == 0 {
        ", none recorded as blind (judged in the file by hand, or after seeing the draft)"
            .to_string()
    } else {
        format!(
            ", {} of them blind (the others judged in the file by hand, or after seeing the draft)",
            thousands(r.blind)
        )
    };
    line(format!(
        "judged: {} of {}{blind}",
        thousands(r.judged),
        thousands(r.sampled)
    ));
    if r.unjudged() > 0 {
        line(format!(
            "not judged yet: {} (left out; `willai review --audit {}` goes on). An audit is complete when every task is judged: tasks skipped because they were hard would make the figures look better than they are.",
            thousands(r.unjudged()),
            r.name
        ));
    }
    if r.population_changed {
        line(format!(
            "note: the project's tasks changed since the draw ({} with a level then, {} now): tasks added since could not be drawn, so the figures speak for them only as far as they resemble the rest; draw a new audit to cover them.",
            thousands(r.population_at_draw),
            thousands(r.population)
        ));
    }
    if r.gone > 0 {
        line(format!(
            "note: {} of the sampled tasks no longer have a level in the project; their judgments still count.",
            thousands(r.gone)
        ));
    }
    line(String::new());
    match &r.disagreement {
        None => line(format!(
            "disagreement: nothing judged yet: `willai review --audit {}` to judge the sample",
            r.name
        )),
        Some(d) => {
            line(format!(
                "disagreement: the editor's level differs from the drafted one for {} of {} judged tasks: {} (95% Wilson interval {}–{})",
                thousands(r.disagreed),
                thousands(r.judged),
                pct(d.estimate),
                pct(d.low).trim_end_matches('%'),
                pct(d.high)
            ));
            if r.judged < MIN_JUDGED {
                line(format!(
                    "  (the Wilson interval holds at any size, but {} judged leave it wide; 400 give about ±4 points)",
                    plural(r.judged, "task", "tasks")
                ));
            }
            line(String::new());
            line("confusion (rows: drafted, columns: judged)".into());
            line(format!(
                "  {:<8}{:>8}{:>8}{:>8}",
                "", "HIGH", "MEDIUM", "LOW"
            ));
            for level in Level::ALL {
                let row = r.confusion[index(level)];
                line(format!(
                    "  {:<8}{:>8}{:>8}{:>8}",
                    level.as_str(),
                    row[0],
                    row[1],
                    row[2]
                ));
            }
        }
    }
    line(String::new());
    line(format!(
        "shares of all {} tasks (95% intervals; PPI++: the judged sample corrects the levels of every task)",
        thousands(r.overall.tasks)
    ));
    shares_lines(&r.overall, "  ", &mut line);
    if r.overall.too_small.is_none() && r.judged < FULL_COVERAGE {
        line(format!(
            "  (with fewer than {FULL_COVERAGE} judged tasks these intervals are a little optimistic: in simulation they covered the true share 92-94% of the time, not 95%)"
        ));
    }
    line(String::new());
    if let Some(why) = &r.overall.too_small {
        line(format!(
            "by O*NET major group: too small to say anything ({why})"
        ));
        return out;
    }
    line("by O*NET major group (each group on its own):".into());
    let mut small = 0;
    for g in &r.groups {
        let s = &g.shares;
        let name = if g.group == soc::OTHER {
            g.group.name.to_string()
        } else {
            format!("{} {}", g.group.code, g.group.name)
        };
        let head = format!(
            "  {name}: {}, {} judged",
            plural(s.tasks, "task", "tasks"),
            thousands(s.judged)
        );
        match &s.too_small {
            Some(why) => {
                small += 1;
                line(format!("{head}: too small to say anything ({why})"));
            }
            None => {
                line(head);
                shares_lines(s, "    ", &mut line);
            }
        }
    }
    if small > 0 {
        line(format!(
            "  {small} of {} groups have too few judged tasks to say anything about them: a sample of {} gives {MIN_JUDGED} judged tasks only to a group holding {} of all tasks.",
            r.groups.len(),
            thousands(r.sampled),
            pct(MIN_JUDGED as f64 / r.sampled as f64)
        ));
    }
    out
}

fn shares_lines(s: &Shares, indent: &str, line: &mut impl FnMut(String)) {
    line(format!(
        "{indent}{:<8}{:>9}   {:<28}{}",
        "level", "drafted", "audited estimate (PPI++)", "sample only (classical)"
    ));
    for l in &s.levels {
        let drafted = l.drafted_share.map(pct).unwrap_or_else(|| "-".into());
        let rest = match (&l.too_small, &l.ppi, &l.classical) {
            (None, Some(p), Some(c)) => {
                format!("{:<28}{}", with_interval(&p.interval), with_interval(c))
            }
            (Some(why), _, _) => format!("too small to say anything: {why}"),
            _ => "too small to say anything".into(),
        };
        line(format!(
            "{indent}{:<8}{drafted:>9}   {rest}",
            l.level.as_str()
        ));
    }
}

fn interval_json(i: Option<&Interval>) -> (Value, Value, Value) {
    match i {
        Some(i) => (json!(i.estimate), json!(i.low), json!(i.high)),
        None => (Value::Null, Value::Null, Value::Null),
    }
}

fn shares_json(s: &Shares) -> Value {
    let mut levels = serde_json::Map::new();
    for l in &s.levels {
        let (estimate, low, high) = interval_json(l.ppi.as_ref().map(|p| &p.interval));
        let (c_estimate, c_low, c_high) = interval_json(l.classical.as_ref());
        levels.insert(
            l.level.as_str().to_string(),
            json!({
                "drafted_share": l.drafted_share,
                "estimate": estimate,
                "low": low,
                "high": high,
                "lambda": l.ppi.map(|p| p.lambda),
                "classical_estimate": c_estimate,
                "classical_low": c_low,
                "classical_high": c_high,
                "judged": l.judged_at,
                "too_small": l.too_small,
            }),
        );
    }
    json!({
        "tasks": s.tasks,
        "sampled": s.sampled,
        "n": s.judged,
        "too_small": s.too_small,
        "levels": levels,
    })
}

/// The report for scripts. Numbers are unrounded and bounds unclipped, as ppi_py gives
/// them.
pub fn json(r: &Report) -> Value {
    let (share, low, high) = interval_json(r.disagreement.as_ref());
    let mut confusion = serde_json::Map::new();
    for drafted in Level::ALL {
        let row = r.confusion[index(drafted)];
        confusion.insert(
            drafted.as_str().into(),
            json!({"HIGH": row[0], "MEDIUM": row[1], "LOW": row[2]}),
        );
    }
    let overall = shares_json(&r.overall);
    json!({
        "audit": r.name,
        "seed": r.seed,
        "drawn": r.drawn,
        "n": r.judged,
        "sampled": r.sampled,
        "unjudged": r.unjudged(),
        "blind": r.blind,
        "population": r.population,
        "population_at_draw": r.population_at_draw,
        "population_changed": r.population_changed,
        "gone": r.gone,
        "complete": r.unjudged() == 0,
        "too_small": r.overall.too_small,
        "disagreement": {"count": r.disagreed, "share": share, "low": low, "high": high},
        "confusion": confusion,
        "levels": overall["levels"],
        "groups": r.groups.iter().map(|g| {
            let mut v = shares_json(&g.shares);
            v["code"] = json!(g.group.code);
            v["name"] = json!(g.group.name);
            v
        }).collect::<Vec<_>>(),
    })
}
