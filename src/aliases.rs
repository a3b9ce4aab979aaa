//! O*NET's Alternate Titles as aliases: the names people search for ("doctor",
//! "attorney", "RN") that an occupation's official title does not hold.
//!
//! O*NET publishes them as a tab-separated file (`Alternate Titles.txt`) with the
//! columns `O*NET-SOC Code`, `Title` (the occupation's), `Alternate Title`, `Short Title`
//! (an acronym or shorter form, or `n/a`) and `Source(s)`; columns are found by header
//! name, so older releases without `Title` work too. Each alternate and short title
//! becomes an alias of the catalog occupation with that O*NET-SOC code, unless it could
//! find another profession: a title O*NET gives to several occupations, or one that is
//! another occupation's name, alias or slug (or slugifies to its slug) is left out and
//! counted. Adding is all it does: aliases already there stay, in their order; a title
//! already among the names of its occupation is not added twice; importing twice
//! changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::catalog::{MAX_NAME, Occupation, text_problem};
use crate::onet::{BadRow, OnetError, column, header_names, next_row, open_tsv};
use crate::slug;

const SOC: &str = "O*NET-SOC Code";
const TITLE: &str = "Title";
const ALTERNATE: &str = "Alternate Title";
const SHORT: &str = "Short Title";

/// One alternate title as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub soc: String,
    /// The alternate title, and its short form when O*NET gives one.
    pub titles: Vec<String>,
}

/// The rows of an Alternate Titles file and its bad rows.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub bad: Vec<BadRow>,
    pub read: usize,
}

/// Reads an Alternate Titles file. `wanted` (titles or O*NET-SOC codes, without case)
/// limits the occupations; empty means all.
pub fn parse(path: &Path, wanted: &[String]) -> Result<Parsed, OnetError> {
    let shown = path.display().to_string();
    let (mut reader, headers) = open_tsv(path)?;
    let find = |name: &str| column(&headers, name);
    let (Some(c_soc), Some(c_alt)) = (find(SOC), find(ALTERNATE)) else {
        return Err(OnetError::TitleColumns {
            file: shown,
            has: header_names(&headers),
        });
    };
    let (c_title, c_short) = (find(TITLE), find(SHORT));
    let wanted: Vec<String> = wanted.iter().map(|w| w.trim().to_lowercase()).collect();
    let mut parsed = Parsed::default();
    let mut record = csv::StringRecord::new();
    while let Some(next) = next_row(&mut reader, &mut record) {
        let line = match next {
            Ok(line) => line,
            Err(bad) => {
                parsed.bad.push(bad);
                continue;
            }
        };
        parsed.read += 1;
        let field = |c: usize| record.get(c).map(str::trim).unwrap_or("");
        let (soc, alternate) = (field(c_soc), field(c_alt));
        if let Some(c) = c_title {
            let title = field(c).to_lowercase();
            if !wanted.is_empty()
                && !wanted
                    .iter()
                    .any(|w| *w == soc.to_lowercase() || *w == title)
            {
                continue;
            }
        } else if !wanted.is_empty() && !wanted.contains(&soc.to_lowercase()) {
            continue;
        }
        if soc.is_empty() || alternate.is_empty() {
            parsed.bad.push(BadRow {
                line,
                why: "empty O*NET-SOC Code or Alternate Title".into(),
            });
            continue;
        }
        let mut titles = Vec::new();
        let short = c_short.map(field).unwrap_or("");
        for t in [alternate, short] {
            // Whitespace runs become one space; "n/a" is O*NET's "no short title".
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if t.is_empty() || t.eq_ignore_ascii_case("n/a") || titles.contains(&t) {
                continue;
            }
            if let Some(problem) = text_problem(&t, MAX_NAME) {
                parsed.bad.push(BadRow {
                    line,
                    why: format!("the title {t:?} {problem}"),
                });
                continue;
            }
            titles.push(t);
        }
        if !titles.is_empty() {
            parsed.rows.push(Row {
                line,
                soc: soc.to_string(),
                titles,
            });
        }
    }
    Ok(parsed)
}

/// A title left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub title: String,
    pub soc: String,
    pub why: String,
}

/// What adding the titles did.
#[derive(Debug, Default)]
pub struct Merged {
    /// The occupations that got aliases, with them added.
    pub changed: Vec<Occupation>,
    /// Aliases added, over all occupations.
    pub added: usize,
    /// Titles that are already a name or an alias of their occupation.
    pub known: usize,
    /// Titles of O*NET-SOC codes no catalog occupation has.
    pub unknown: BTreeSet<String>,
    /// Titles that could find another profession.
    pub left_out: Vec<LeftOut>,
}

/// Adds the titles of `rows` to the occupations with their O*NET-SOC codes.
pub fn merge(occupations: &[Occupation], rows: &[Row]) -> Merged {
    let key = |s: &str| s.trim().to_lowercase();
    let by_soc: HashMap<&str, usize> = occupations
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.onet_soc.as_deref().map(|s| (s, i)))
        .collect();
    // Whom each title is given to in the file.
    let mut claims: HashMap<String, BTreeSet<usize>> = HashMap::new();
    for r in rows {
        if let Some(&i) = by_soc.get(r.soc.as_str()) {
            for t in &r.titles {
                claims.entry(key(t)).or_default().insert(i);
            }
        }
    }
    // Every name that already finds a profession, and every slug.
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut slugs: HashMap<String, usize> = HashMap::new();
    for (i, o) in occupations.iter().enumerate() {
        for n in std::iter::once(&o.name)
            .chain(&o.aliases)
            .chain(std::iter::once(&o.slug))
        {
            names.entry(key(n)).or_insert(i);
        }
        slugs.insert(o.slug.clone(), i);
    }
    let mut added: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut merged = Merged::default();
    for r in rows {
        let Some(&i) = by_soc.get(r.soc.as_str()) else {
            merged.unknown.insert(r.soc.clone());
            continue;
        };
        for t in &r.titles {
            let k = key(t);
            let mut left_out = |why: String| {
                merged.left_out.push(LeftOut {
                    title: t.clone(),
                    soc: r.soc.clone(),
                    why,
                })
            };
            let claimed: Vec<usize> = claims[&k].iter().copied().filter(|&j| j != i).collect();
            if let Some(&j) = claimed.first() {
                left_out(format!("O*NET gives it to {} too", occupations[j].slug));
                continue;
            }
            match names.get(&k) {
                Some(&j) if j == i => {
                    merged.known += 1;
                    continue;
                }
                Some(&j) => {
                    left_out(format!("it already names {}", occupations[j].slug));
                    continue;
                }
                None => {}
            }
            if let Some(&j) = slugs.get(&slug::slugify(t))
                && j != i
            {
                left_out(format!("its slug is {}'s", occupations[j].slug));
                continue;
            }
            names.insert(k, i);
            added.entry(i).or_default().push(t.clone());
            merged.added += 1;
        }
    }
    // Titles left out twice (an alternate and a short title, or two rows) are one.
    let mut seen = BTreeSet::new();
    merged
        .left_out
        .retain(|l| seen.insert((l.title.to_lowercase(), l.soc.clone())));
    for (i, new) in added {
        let mut o = occupations[i].clone();
        o.aliases.extend(new);
        merged.changed.push(o);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ(slug: &str, name: &str, soc: &str, aliases: &[&str]) -> Occupation {
        serde_json::from_value(serde_json::json!({
            "name": name, "slug": slug, "onet_soc": soc, "aliases": aliases,
            "tasks": [{"id": "t", "text": "Do it"}]
        }))
        .unwrap()
    }

    fn row(soc: &str, titles: &[&str]) -> Row {
        Row {
            line: 2,
            soc: soc.into(),
            titles: titles.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn titles_become_aliases_unless_they_could_find_another_profession() {
        let catalog = [
            occ(
                "family-medicine-physicians",
                "Family Medicine Physicians",
                "29-1215.00",
                &["GP"],
            ),
            occ("lawyers", "Lawyers", "23-1011.00", &[]),
            occ("registered-nurses", "Registered Nurses", "29-1141.00", &[]),
            occ(
                "nurse-practitioners",
                "Nurse Practitioners",
                "29-1171.00",
                &[],
            ),
        ];
        let rows = [
            row("29-1215.00", &["Doctor", "Family Practice Physician"]),
            row("29-1215.00", &["gp"]),
            row("23-1011.00", &["Attorney", "Lawyers"]),
            row("29-1141.00", &["Registered Nurse (RN)", "RN", "Nurse"]),
            row("29-1171.00", &["Nurse Practitioner (NP)", "NP", "Nurse"]),
            row("29-1171.00", &["Registered-Nurses"]),
            row("99-9999.00", &["Astronaut"]),
        ];
        let m = merge(&catalog, &rows);
        let aliases = |slug: &str| -> Vec<String> {
            m.changed
                .iter()
                .find(|o| o.slug == slug)
                .map(|o| o.aliases.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            aliases("family-medicine-physicians"),
            ["GP", "Doctor", "Family Practice Physician"]
        );
        assert_eq!(aliases("lawyers"), ["Attorney"]);
        assert_eq!(
            aliases("registered-nurses"),
            ["Registered Nurse (RN)", "RN"]
        );
        assert_eq!(
            aliases("nurse-practitioners"),
            ["Nurse Practitioner (NP)", "NP"]
        );
        assert_eq!(m.added, 7);
        assert_eq!(m.known, 2, "GP (any case) and Lawyers are there already");
        assert_eq!(m.unknown, BTreeSet::from(["99-9999.00".to_string()]));
        let why: Vec<(&str, &str)> = m
            .left_out
            .iter()
            .map(|l| (l.title.as_str(), l.why.as_str()))
            .collect();
        assert_eq!(
            why,
            [
                ("Nurse", "O*NET gives it to nurse-practitioners too"),
                ("Nurse", "O*NET gives it to registered-nurses too"),
                ("Registered-Nurses", "it already names registered-nurses"),
            ]
        );
        // Twice: nothing more to add.
        let mut again: Vec<Occupation> = catalog.to_vec();
        for o in &m.changed {
            let i = again.iter().position(|a| a.slug == o.slug).unwrap();
            again[i] = o.clone();
        }
        let m2 = merge(&again, &rows);
        assert!(m2.changed.is_empty() && m2.added == 0);
    }

    #[test]
    fn a_title_whose_slug_is_another_professions_is_left_out() {
        let catalog = [
            occ("data-scientists", "Data Scientists", "15-2051.00", &[]),
            occ("statisticians", "Statisticians", "15-2041.00", &[]),
        ];
        let m = merge(&catalog, &[row("15-2041.00", &["Data Scientists!"])]);
        assert_eq!(m.added, 0);
        assert_eq!(m.left_out[0].why, "its slug is data-scientists's");
    }
}
