//! Every page's `<title>` and meta description, written once all pages are known, so that
//! no two pages of the site share either.
//!
//! A deep dive's title always has "AI" and its profession ("AI and Audit payrolls:
//! Impact on Payroll Clerks | Paper"); where that is longer than a search engine shows
//! (70 characters), shorter forms drop the site's name, then say the profession by its
//! short name ([`super::text::short_name`], or the catalog's `short_name`); none is
//! ever cut mid-word, so the words that tell two pages apart stay. Descriptions name the
//! profession first, then the level, the statement and the rationale, cut at a word to
//! 160 characters. What is still the same after that (two tasks of one profession with
//! one title, two professions with one short name) is told apart: by the full names,
//! then by the task's number, then by a counter.

use std::collections::{BTreeMap, HashSet};

use super::text::{DESCRIPTION_MAX, TITLE_MAX, fit, plural};
use super::view::{Head, Profession};
use crate::config::Site;

/// The titles of the site's own pages (the index, the methodology...), which no
/// profession or task may take.
pub fn assign(professions: &mut [Profession], site: &Site, reserved: &[String]) {
    let names = title_names(professions);
    for (p, (full, short)) in professions.iter_mut().zip(&names) {
        p.head = profession_head(p, site, full, short);
        let (full, short) = (full.clone(), short.clone());
        for k in 0..p.tasks.len() {
            let head = task_head(p, k, site, &full, &short);
            p.tasks[k].head = head;
        }
    }
    tell_apart(professions, reserved);
}

/// How a title names each profession: its plural, and the short form of it (the full
/// one when two professions would share a short form).
fn title_names(professions: &[Profession]) -> Vec<(String, String)> {
    let people = |p: &Profession, name: &str| {
        if p.onet_soc.is_some() {
            name.to_string()
        } else {
            plural(name)
        }
    };
    let mut short_owners: BTreeMap<String, usize> = BTreeMap::new();
    for p in professions {
        *short_owners
            .entry(people(p, &p.short_name).to_lowercase())
            .or_default() += 1;
    }
    professions
        .iter()
        .map(|p| {
            let full = people(p, &p.name);
            let short = people(p, &p.short_name);
            let short = if short_owners[&short.to_lowercase()] > 1 {
                full.clone()
            } else {
                short
            };
            (full, short)
        })
        .collect()
}

fn profession_head(p: &Profession, site: &Site, full: &str, short: &str) -> Head {
    let title = fit(
        &[
            format!(
                "Will AI replace {full}? Task-by-task AI exposure | {}",
                site.name
            ),
            format!("Will AI replace {full}? | {}", site.name),
            format!("Will AI replace {short}? | {}", site.name),
            format!("Will AI replace {short}?"),
        ],
        TITLE_MAX,
    );
    let (c, split) = (&p.counts, |c: &super::view::LevelCounts| {
        format!("{} HIGH, {} MEDIUM, {} LOW", c.high, c.medium, c.low)
    });
    let description = |name: &str| {
        if p.counts.tasks == 0 {
            format!(
                "How exposed the tasks of {name} are to AI: none is reviewed yet. Skills analysis and key insights, reviewed by an editor."
            )
        } else if p.coverage.missing > 0 {
            format!(
                "How exposed the tasks of {name} are to AI, task by task: {} ({}), each explained and reviewed by an editor.",
                p.coverage.text,
                split(c)
            )
        } else {
            format!(
                "How exposed each of the {} tasks of {name} is to AI: {}, each explained and reviewed by an editor.",
                c.tasks,
                split(c)
            )
        }
    };
    Head {
        title: last_uncut(title, &format!("Will AI replace {short}?")),
        description: fit(&[description(full), description(short)], DESCRIPTION_MAX),
    }
}

fn task_head(p: &Profession, k: usize, site: &Site, full: &str, short: &str) -> Head {
    let t = &p.tasks[k];
    let last = format!("AI and {} ({short})", t.title);
    let title = fit(
        &[
            format!("AI and {}: Impact on {full} | {}", t.title, site.name),
            format!("AI and {}: Impact on {short}", t.title),
            last.clone(),
        ],
        TITLE_MAX,
    );
    let statement = t.text.trim();
    let stop = if statement.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    let description = fit(
        &[format!(
            "{} exposure to AI for {short}: {statement}{stop} {}",
            t.level, t.rationale
        )],
        DESCRIPTION_MAX,
    );
    Head {
        title: last_uncut(title, &last),
        description,
    }
}

/// `fit`'s choice, unless it had to cut: then the last candidate whole (a title longer
/// than search engines show beats one whose distinguishing words are gone).
fn last_uncut(fitted: String, last: &str) -> String {
    if fitted.ends_with('…') && !last.ends_with('…') {
        last.to_string()
    } else {
        fitted
    }
}

/// Makes every title and every description unique: a task whose title or description
/// another page of the site has too says its number in its profession ("..., task
/// 3"); what is still the same after that gets " (2)", " (3)"... in the order of the
/// site (professions by slug, tasks in catalog order).
fn tell_apart(professions: &mut [Profession], reserved: &[String]) {
    for pick in [Pick::Title, Pick::Description] {
        let count = |ps: &[Profession]| {
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for head in ps.iter().flat_map(heads) {
                *seen.entry(pick.of(head).to_lowercase()).or_default() += 1;
            }
            seen
        };
        let seen = count(professions);
        for p in professions.iter_mut() {
            let tasks = p.tasks.len();
            for t in &mut p.tasks {
                let text = pick.of(&t.head).to_lowercase();
                if seen[&text] > 1 || reserved.iter().any(|r| r.to_lowercase() == text) {
                    let number = format!(", task {} of {tasks}", t.number);
                    pick.add(&mut t.head, &number);
                }
            }
        }
        let mut taken: HashSet<String> = reserved.iter().map(|r| r.to_lowercase()).collect();
        for p in professions.iter_mut() {
            for head in std::iter::once(&mut p.head).chain(p.tasks.iter_mut().map(|t| &mut t.head))
            {
                let base = pick.of(head).to_string();
                let mut n = 1;
                while !taken.insert(pick.of(head).to_lowercase()) {
                    n += 1;
                    pick.set(head, format!("{base} ({n})"));
                }
            }
        }
    }
}

fn heads(p: &Profession) -> impl Iterator<Item = &Head> {
    std::iter::once(&p.head).chain(p.tasks.iter().map(|t| &t.head))
}

#[derive(Clone, Copy)]
enum Pick {
    Title,
    Description,
}

impl Pick {
    fn of(self, h: &Head) -> &str {
        match self {
            Pick::Title => &h.title,
            Pick::Description => &h.description,
        }
    }

    fn set(self, h: &mut Head, text: String) {
        match self {
            Pick::Title => h.title = text,
            Pick::Description => h.description = text,
        }
    }

    /// Adds words that tell the page apart: to a title before the site's name, to a
    /// description at its end (cut again to fit, never losing the added words).
    fn add(self, h: &mut Head, words: &str) {
        match self {
            Pick::Title => {
                h.title = match h.title.rsplit_once(" | ") {
                    Some((head, site)) => format!("{head}{words} | {site}"),
                    None => format!("{}{words}", h.title),
                }
            }
            Pick::Description => {
                let room = DESCRIPTION_MAX.saturating_sub(words.chars().count());
                let kept = fit(&[h.description.trim_end_matches('.').to_string()], room);
                h.description = format!("{}{words}.", kept.trim_end_matches('…'));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::testing::site;
    use crate::publish::view::sample::{profession, task};
    use crate::record::Level;

    #[test]
    fn titles_have_ai_and_the_profession_and_are_never_cut() {
        let mut p = profession("grinders", Some("51-4033.00"));
        p.name = "Grinding, Lapping, Polishing, and Buffing Machine Tool Setters, Operators, and Tenders, Metal and Plastic".into();
        p.short_name = crate::publish::text::short_name(&p.name);
        p.tasks = vec![
            task(
                "Set up and operate grinding machines on metal parts",
                Level::Medium,
            ),
            task("Inspect parts", Level::Low),
        ];
        let mut all = vec![p];
        assign(&mut all, &site(), &[]);
        for t in &all[0].tasks {
            let title = &t.head.title;
            assert!(title.starts_with("AI and "), "{title}");
            assert!(title.contains(&all[0].short_name), "{title}");
            assert!(!title.contains('…'), "{title}");
            assert!(t.head.description.contains(&all[0].short_name));
            assert!(t.head.description.chars().count() <= DESCRIPTION_MAX);
        }
        assert_eq!(
            all[0].tasks[1].head.title,
            "AI and Inspect parts (Grinding and Buffing Machine Tool Operators)"
        );
    }

    #[test]
    fn no_two_pages_share_a_title_or_a_description() {
        let make = |id: &str, name: &str| {
            let mut p = profession(id, None);
            p.name = name.into();
            p.short_name = name.into();
            let mut a = task("Sort widgets", Level::High);
            let mut b = task("Sort widgets", Level::High);
            b.number = 2;
            a.rationale = "Same.".into();
            b.rationale = "Same.".into();
            p.tasks = vec![a, b];
            p
        };
        // "ML Engineer" and "ML Engineers" are both "ML Engineers" in a title.
        let mut all = vec![
            make("a", "ML Engineer"),
            make("b", "ML Engineers"),
            make("c", "Methodology"),
        ];
        let reserved = vec!["Will AI replace Methodologys? | Paper".to_string()];
        assign(&mut all, &site(), &reserved);
        let mut titles = HashSet::new();
        let mut descriptions = HashSet::new();
        for h in all.iter().flat_map(heads) {
            assert!(titles.insert(h.title.to_lowercase()), "{}", h.title);
            assert!(
                descriptions.insert(h.description.to_lowercase()),
                "{}",
                h.description
            );
            assert!(
                h.description.chars().count() <= DESCRIPTION_MAX,
                "{}",
                h.description
            );
        }
        assert!(!titles.contains(&reserved[0].to_lowercase()));
        assert_eq!(
            all[0].tasks[1].head.title,
            "AI and Sort widgets: Impact on ML Engineers, task 2 of 2 | Paper"
        );
    }
}
