//! `willai publish`: the static site, its data and its feeds, from approved content only.
//!
//! The pipeline, one module per concern:
//! - [`select`] decides what may be shown (approved and intact) and makes it into the
//!   views of [`view`] (counts, shares, bylines); [`text`] writes every sentence by rule
//!   (names, counts, summaries, key insights, titles and descriptions);
//! - [`layout`] decides every path before anything is written, so no profession or task
//!   can take the path of another page or of a file the site writes;
//! - [`theme`] holds the templates and static files (built in, overridable by the
//!   project's `templates/` and `static/`); [`pages`] gives each page kind its context;
//! - [`data`] writes the JSON API and the CSV, [`meta`] the JSON-LD, sitemap, robots.txt
//!   and the Atom feed, [`chart`] the numbers behind the inline SVG charts;
//! - [`output`] writes into `--out`: only into a folder it owns, never through a
//!   symbolic link, recoverably after an interruption, atomically, and removing only
//!   what an earlier publish wrote and this one no longer does.
//!
//! Every text is HTML-escaped, every path is made of slugs, links are relative and name
//! `index.html` explicitly (the site works from `file://` and from any web server), and
//! the same input gives byte-identical files: dates come from approvals and the edition,
//! never from the clock.

pub mod audit;
pub mod chart;
pub mod data;
pub mod error;
pub mod groups;
pub mod heads;
pub mod hosting;
pub mod layout;
pub mod markdown;
pub mod meta;
pub mod options;
pub mod output;
pub mod pages;
pub mod rank;
pub mod select;
pub mod text;
pub mod theme;
pub mod view;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use output::Output;
use pages::Pages;
use theme::Theme;
use view::Profession;

pub use crate::config::Site;
pub use error::PublishError;
pub use options::Options;
pub use output::MANIFEST;

#[derive(Debug, Default)]
pub struct Summary {
    pub professions: usize,
    pub tasks: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The site as a host sees it: its files, their bytes, the largest.
    pub size: hosting::Size,
}

/// Files written and left as they were, and their sizes.
#[derive(Default)]
struct Counter {
    written: usize,
    unchanged: usize,
    bytes: u64,
    largest: (u64, String),
}

impl Counter {
    fn put(&mut self, out: &Output, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        if out.put(rel, bytes)? {
            self.written += 1;
        } else {
            self.unchanged += 1;
        }
        self.weigh(rel, bytes.len() as u64);
        Ok(())
    }

    fn weigh(&mut self, rel: &str, len: u64) {
        self.bytes += len;
        self.keep_largest(len, rel);
    }

    /// The largest file, the first by path among equals (deterministic).
    fn keep_largest(&mut self, len: u64, rel: &str) {
        if len > self.largest.0 || (len == self.largest.0 && rel < self.largest.1.as_str()) {
            self.largest = (len, rel.to_string());
        }
    }

    fn add(&mut self, other: Counter) {
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.bytes += other.bytes;
        self.keep_largest(other.largest.0, &other.largest.1);
    }
}

/// What a preview remembers between builds into one folder: the fingerprint of each
/// profession's pages (everything they are rendered from: the profession, the list of
/// professions its "other professions" come from, the site settings, the theme), so that
/// a rebuild renders and writes only the professions that changed. `publish` starts
/// from an empty one every time; `willai serve` keeps one.
#[derive(Debug, Default)]
pub struct Memo {
    professions: HashMap<String, Remembered>,
}

/// What a build remembers of one profession's files: what they were rendered from, and
/// their sizes (for the site's size when they are not written again).
#[derive(Debug, Clone)]
struct Remembered {
    fingerprint: [u8; 32],
    files: usize,
    bytes: u64,
    largest: (u64, String),
}

/// Builds the site into `out` from the publishable professions.
pub fn publish(
    professions: Vec<Profession>,
    site: &Site,
    out: &Path,
    opts: &Options,
) -> anyhow::Result<Summary> {
    publish_with(professions, site, out, opts, &mut Memo::default())
}

/// [`publish`], skipping the professions whose pages `memo` says are already in `out`
/// as they would be rendered now.
pub fn publish_with(
    mut professions: Vec<Profession>,
    site: &Site,
    out: &Path,
    opts: &Options,
    memo: &mut Memo,
) -> anyhow::Result<Summary> {
    let outcome = build(&mut professions, site, out, opts, memo);
    if outcome.is_err() {
        // What was written is not known for sure: the next build renders everything.
        memo.professions.clear();
    }
    outcome
}

fn build(
    professions: &mut [Profession],
    site: &Site,
    out: &Path,
    opts: &Options,
    memo: &mut Memo,
) -> anyhow::Result<Summary> {
    // Everything that can be wrong with the theme is found before `out` is touched.
    if let Some(root) = &opts.theme {
        output::refuse_inside_project(out, root)?;
    }
    let theme = Theme::load(opts.theme.as_deref().map(crate::root::Root::at).as_ref())?;
    audit::annotate(professions, opts.audit.as_ref());
    let about = theme.about.is_some();
    layout::check_static(&theme.project_statics, about)?;
    let own: Vec<String> = layout::fixed(about)
        .into_iter()
        .map(String::from)
        .chain(theme.statics.keys().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let paths = layout::assign(professions, &own, site.deep_dives);
    rank::assign(professions, &site.ranking);
    heads::assign(
        professions,
        site,
        &pages::site_titles(site, theme.about.as_ref()),
    );
    let professions: &[Profession] = professions;

    // The site-wide pages are rendered before `out` is touched, and so are the pages of
    // one profession: a template error is reported before anything is written.
    let pages = Pages::new(&theme, site, professions, opts.drafts, opts.audit.as_ref());
    let mut site_pages: Vec<(&str, Vec<u8>)> = vec![
        (layout::INDEX, pages.index("group")?.into_bytes()),
        (layout::BY_EXPOSURE, pages.index("exposure")?.into_bytes()),
        (layout::METHODOLOGY, pages.methodology()?.into_bytes()),
        (layout::NOT_FOUND, pages.not_found()?.into_bytes()),
    ];
    if let Some(html) = pages.about()? {
        site_pages.push((layout::ABOUT, html.into_bytes()));
    }
    // The first profession's pages, kept: the loop below writes them, not renders again.
    let first = std::sync::Mutex::new(if professions.is_empty() {
        None
    } else {
        Some(pages.profession(0)?)
    });

    // What every profession's pages share: the theme, the site, the drafts switch, and
    // the professions their "other professions" are chosen from.
    let mut shared = Sha256::new();
    shared.update(theme.fingerprint);
    shared.update(serde_json::to_vec(site)?);
    shared.update([u8::from(opts.drafts)]);
    shared.update(serde_json::to_vec(&opts.audit)?);
    for p in professions {
        shared.update(serde_json::to_vec(&(
            &p.id,
            &p.slug,
            &p.name,
            &p.group.code,
        ))?);
    }
    let shared = shared.finalize();

    let mut output = Output::open(out)?;
    output.begin(&paths)?;
    let parts: Vec<anyhow::Result<(Counter, String, [u8; 32])>> = (0..professions.len())
        .into_par_iter()
        .map(|i| {
            let p = &professions[i];
            let mut fingerprint = Sha256::new();
            fingerprint.update(shared);
            fingerprint.update(serde_json::to_vec(p)?);
            let fingerprint: [u8; 32] = fingerprint.finalize().into();
            let mut c = Counter::default();
            if let Some(r) = memo.professions.get(&p.id)
                && r.fingerprint == fingerprint
            {
                // Rendered and written by the last build, and nothing it depends on
                // changed since.
                c.unchanged = r.files;
                c.bytes = r.bytes;
                c.largest = r.largest.clone();
                return Ok((c, p.id.clone(), fingerprint));
            }
            let kept = if i == 0 {
                first.lock().expect("the first profession's pages").take()
            } else {
                None
            };
            let rendered = match kept {
                Some(r) => r,
                None => pages.profession(i)?,
            };
            for (rel, html) in rendered {
                c.put(&output, &rel, html.as_bytes())?;
            }
            c.put(
                &output,
                &layout::api_file(p),
                data::api_profession(site, p).as_bytes(),
            )?;
            Ok((c, p.id.clone(), fingerprint))
        })
        .collect();
    let mut done = Counter::default();
    let mut remembered = HashMap::new();
    for part in parts {
        let (part, id, fingerprint) = part?;
        remembered.insert(
            id,
            Remembered {
                fingerprint,
                files: part.written + part.unchanged,
                bytes: part.bytes,
                largest: part.largest.clone(),
            },
        );
        done.add(part);
    }

    let mut put = |rel: &str, bytes: &[u8]| done.put(&output, rel, bytes);
    for (rel, bytes) in &site_pages {
        put(rel, bytes)?;
    }
    put(
        layout::API_INDEX,
        data::api_index(site, professions).as_bytes(),
    )?;
    put(layout::CSV, &data::csv(site, professions)?)?;
    put(
        layout::SITEMAP,
        meta::sitemap(&pages.sitemap_urls(about)).as_bytes(),
    )?;
    put(layout::ROBOTS, meta::robots(site).as_bytes())?;
    put(layout::FEED, meta::feed(site, professions).as_bytes())?;
    put(layout::SEARCH, data::search(professions).as_bytes())?;
    for (rel, bytes) in &theme.statics {
        put(rel, bytes)?;
    }

    let removed = output.finish(&paths)?;
    memo.professions = remembered;
    Ok(Summary {
        professions: professions.len(),
        tasks: professions.iter().map(|p| p.counts.tasks).sum(),
        written: done.written,
        unchanged: done.unchanged,
        removed,
        size: hosting::Size {
            files: done.written + done.unchanged,
            bytes: done.bytes,
            largest: done.largest.0,
            largest_file: done.largest.1,
            deep_dives: site.deep_dives,
            supplemental_pages: professions
                .iter()
                .flat_map(|p| &p.tasks)
                .filter(|t| t.page && t.kind == Some(crate::catalog::TaskType::Supplemental))
                .count(),
        },
    })
}

/// What the unit tests of the site share.
#[cfg(test)]
pub(crate) mod testing {
    use super::Site;
    use crate::config::{DeepDives, Resolved, SiteSettings};

    /// A site named "Paper" at https://paper.example, with the default ranking.
    pub fn site() -> Site {
        fn d<T>(value: T) -> Resolved<T> {
            Resolved {
                value,
                origin: crate::config::Origin::Default,
            }
        }
        let r = |v: &str| {
            Some(Resolved {
                value: v.to_string(),
                origin: crate::config::Origin::Default,
            })
        };
        Site::new(&SiteSettings {
            name: r("Paper").unwrap(),
            base_url: r("https://paper.example"),
            volume: None,
            number: None,
            date: None,
            license: None,
            license_url: None,
            signup_url: None,
            signup_text: None,
            rank_coverage: d(crate::config::DEFAULT_RANK_COVERAGE),
            rank_min_tasks: d(crate::config::DEFAULT_RANK_MIN_TASKS),
            deep_dives: d(DeepDives::All),
        })
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Occupation;
    use crate::record::Record;
    use testing::site;

    /// A preview with drafts (what `willai serve --drafts` builds) marks unreviewed
    /// text; `publish` leaves it out.
    #[test]
    fn a_preview_with_drafts_marks_them_as_not_reviewed() {
        let occ: Occupation = serde_json::from_value(serde_json::json!({
            "name": "Widget Makers", "slug": "widget-makers",
            "tasks": [{"id": "sort", "text": "Sort the widgets"}], "skills": []
        }))
        .unwrap();
        let record: Record = serde_json::from_value(serde_json::json!({
            "profession": "widget-makers",
            "tasks": [{"id": "sort", "status": "draft", "level": "LOW", "rationale": "Hands-on work."}],
            "skills": []
        }))
        .unwrap();
        let catalog = crate::catalog::Catalog::from_occupations(vec![occ]);
        let records = vec![("widget-makers".to_string(), record)];
        let (none, _) = select::load(&catalog, &records, &Options::default());
        assert!(none.is_empty(), "publish shows no draft");
        let opts = Options {
            drafts: true,
            theme: None,
            audit: None,
        };
        let (professions, _) = select::load(&catalog, &records, &opts);
        let out = tempfile::tempdir().unwrap();
        publish(professions, &site(), out.path(), &opts).unwrap();
        let page = std::fs::read_to_string(out.path().join("widget-makers/sort-the-widgets.html"))
            .unwrap();
        assert!(
            page.contains("Draft: not yet reviewed by an editor."),
            "{page}"
        );
        assert!(!page.contains("Reviewed by"));
        assert!(page.contains("Hands-on work."));
        let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
        assert!(!sitemap.contains("<lastmod>"), "no approval, no date");
    }
}
