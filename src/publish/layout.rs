//! Where every file of the site goes, decided before anything is written.
//!
//! A profession owns a folder named by its slug (with its page, `index.html`, and one
//! page per task) and an API file; the site itself writes fixed files (the index, the
//! methodology page, the feed, the data download, the assets) and whatever the project's
//! `static/` holds. Names are *claimed*: the site's own files and folders first, then
//! each profession's folder and API file, then each task's page inside its profession's
//! folder. A name already claimed gets `-2`, `-3`, ... so no profession or task can take
//! the path of another page or of a file or folder the site writes (a task called
//! "Index" gets `index-2.html`, a profession called "API" the folder `api-2/`). Names
//! are compared without case, for file systems that ignore it. Natural names are
//! claimed before suffixed ones, so adding a duplicate never moves an existing page.

use std::collections::HashSet;

use super::error::PublishError;
use super::view::Profession;
use crate::catalog::TaskType;
use crate::config::DeepDives;

pub const INDEX: &str = "index.html";
pub const BY_EXPOSURE: &str = "index-by-exposure.html";
pub const METHODOLOGY: &str = "methodology.html";
pub const ABOUT: &str = "about.html";
pub const NOT_FOUND: &str = "404.html";
pub const SITEMAP: &str = "sitemap.xml";
pub const ROBOTS: &str = "robots.txt";
pub const FEED: &str = "feed.xml";
pub const CSV: &str = "ai-exposure-by-task.csv";
pub const API_INDEX: &str = "api/professions/index.json";
/// What the index's search box reads, fetched only when a reader searches.
pub const SEARCH: &str = "search.json";
/// The built-in assets; a project's `static/` may replace them.
pub const ASSETS: [&str; 5] = [
    "style.css",
    "site.js",
    "favicon.svg",
    "favicon.ico",
    OG_IMAGE,
];
/// The picture a link to the site shows in social media and chats (`og:image`).
pub const OG_IMAGE: &str = "og-image.png";
/// The page of a profession inside its folder (the one name a task cannot take).
pub const PROFESSION_PAGE: &str = "index";

pub fn profession_page(p: &Profession) -> String {
    format!("{}/{PROFESSION_PAGE}.html", p.slug)
}

pub fn task_page(p: &Profession, task_slug: &str) -> String {
    format!("{}/{task_slug}.html", p.slug)
}

pub fn api_file(p: &Profession) -> String {
    format!("api/professions/{}.json", p.slug)
}

/// The site's own files, whatever the content (the about page only with `about.md`).
pub fn fixed(about: bool) -> Vec<&'static str> {
    let mut v = vec![
        INDEX,
        BY_EXPOSURE,
        METHODOLOGY,
        NOT_FOUND,
        SITEMAP,
        ROBOTS,
        FEED,
        CSV,
        API_INDEX,
        SEARCH,
    ];
    if about {
        v.push(ABOUT);
    }
    v.extend(ASSETS);
    v
}

/// Claimed files and folders, by lowercased relative path.
#[derive(Default)]
struct Claims {
    files: HashSet<String>,
    dirs: HashSet<String>,
}

impl Claims {
    /// Whether `path` is free: not claimed as a file or a folder, and no folder on its
    /// way is claimed as a file.
    fn free(&self, path: &str) -> bool {
        let key = path.to_lowercase();
        !self.files.contains(&key)
            && !self.dirs.contains(&key)
            && !key
                .match_indices('/')
                .any(|(i, _)| self.files.contains(&key[..i]))
    }

    fn take_file(&mut self, path: &str) {
        let key = path.to_lowercase();
        for (i, _) in key.match_indices('/') {
            self.dirs.insert(key[..i].to_string());
        }
        self.files.insert(key);
    }

    fn take_dir(&mut self, path: &str) {
        self.take_file(&format!("{path}/"));
    }
}

/// A static file may replace a built-in asset, and no other file the site writes.
pub fn check_static(static_files: &[String], about: bool) -> Result<(), PublishError> {
    let own: Vec<&str> = fixed(about)
        .into_iter()
        .filter(|f| !ASSETS.contains(f))
        .collect();
    for f in static_files {
        let key = f.to_lowercase();
        let clash = own.iter().find(|o| {
            **o == key || o.starts_with(&format!("{key}/")) || key.starts_with(&format!("{o}/"))
        });
        if let Some(o) = clash {
            return Err(PublishError::StaticClash {
                file: format!("static/{f}"),
                page: o.to_string(),
            });
        }
        if key.starts_with(".willai") {
            return Err(PublishError::StaticClash {
                file: format!("static/{f}"),
                page: "the publish manifest and temporary files (.willai*)".into(),
            });
        }
    }
    Ok(())
}

/// Gives every profession a folder and every task a page name no other output has, and
/// returns every path the site will write. Every task gets its name, whether or not it
/// gets a page (`deep_dives`), so switching deep dives on or off never moves a page.
pub fn assign(
    professions: &mut [Profession],
    own: &[String],
    deep_dives: DeepDives,
) -> Vec<String> {
    let mut claims = Claims::default();
    let mut paths: Vec<String> = Vec::new();
    for f in own {
        claims.take_file(f);
        paths.push(f.clone());
    }
    let api = |s: &str| format!("api/professions/{s}.json");
    let profession_free =
        |c: &Claims, s: &str| c.free(s) && c.free(&format!("{s}/")) && c.free(&api(s));
    // Natural folder names first, then the rest with a suffix.
    let mut later = Vec::new();
    for (i, p) in professions.iter().enumerate() {
        if profession_free(&claims, &p.slug) {
            claims.take_dir(&p.slug);
            claims.take_file(&api(&p.slug));
        } else {
            later.push(i);
        }
    }
    for i in later {
        let base = professions[i].slug.clone();
        let slug = (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|s| profession_free(&claims, s))
            .expect("some suffix is free");
        claims.take_dir(&slug);
        claims.take_file(&api(&slug));
        professions[i].slug = slug;
    }
    for p in professions.iter_mut() {
        // Inside its own folder, a profession's page comes first, then natural task
        // names, then suffixed ones.
        let mut taken: HashSet<String> = HashSet::from([PROFESSION_PAGE.to_string()]);
        let mut later = Vec::new();
        for (i, t) in p.tasks.iter().enumerate() {
            if !taken.insert(t.slug.clone()) {
                later.push(i);
            }
        }
        for i in later {
            let base = p.tasks[i].slug.clone();
            let slug = (2..)
                .map(|n| format!("{base}-{n}"))
                .find(|s| !taken.contains(s))
                .expect("some suffix is free");
            taken.insert(slug.clone());
            p.tasks[i].slug = slug;
        }
        for t in p.tasks.iter_mut() {
            t.page = deep_dives == DeepDives::All || t.kind != Some(TaskType::Supplemental);
        }
        paths.push(profession_page(p));
        paths.extend(
            p.tasks
                .iter()
                .filter(|t| t.page)
                .map(|t| task_page(p, &t.slug)),
        );
        paths.push(api_file(p));
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_see_files_folders_and_case() {
        let mut c = Claims::default();
        c.take_file("api/professions/index.json");
        c.take_file("Photo");
        assert!(!c.free("api"));
        assert!(!c.free("API/professions"));
        assert!(!c.free("photo/x.png"));
        assert!(c.free("apis"));
        assert!(c.free("api/other.json"));
    }

    #[test]
    fn static_files_may_replace_assets_only() {
        let ok = ["style.css".to_string(), "img/logo.png".to_string()];
        assert!(check_static(&ok, false).is_ok());
        for bad in [
            "index.html",
            "API/professions/index.json",
            "api",
            "sitemap.xml",
            ".willai-site",
        ] {
            assert!(check_static(&[bad.to_string()], false).is_err(), "{bad}");
        }
        assert!(check_static(&["about.html".to_string()], false).is_ok());
        assert!(check_static(&["about.html".to_string()], true).is_err());
    }
}
