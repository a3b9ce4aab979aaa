//! `willai publish`: the static site and its JSON API, from approved content only.
//!
//! Pages are rendered with minijinja (HTML auto-escaping on: every text is escaped) from
//! templates built into the binary, professions in parallel, each profession's shared
//! fragments (counts, task table, skills, insights) once. Every path is made of slugs
//! (`a-z`, `0-9`, `-`), so nothing can be written outside the output directory. Links
//! are relative and name `index.html` explicitly, so the site works from `file://` as
//! well as from any web server, without JavaScript. A manifest of the files written lets
//! the next publish remove what it no longer produces, and only that.

pub mod model;
pub mod text;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::canonical;
use crate::fsx;

use model::Profession;
use text::{DESCRIPTION_MAX, TITLE_MAX, advice, fit};

/// The manifest of the files a publish wrote, kept in the output directory.
pub const MANIFEST: &str = ".willai-site";
const STYLE: &str = include_str!("style.css");
const OTHERS: usize = 8;

pub use crate::config::Site;

/// Why a site cannot be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "{dir} is not empty and holds no earlier publish ({MANIFEST} is missing): publish into a new or empty directory"
    )]
    NotEmpty { dir: String },
}

impl PublishError {
    /// Whether the user must change the command (exit 2) rather than retry (exit 1).
    pub fn is_usage(&self) -> bool {
        match self {
            PublishError::NotEmpty { .. } => true,
        }
    }
}

#[derive(Debug, Default)]
pub struct Summary {
    pub professions: usize,
    pub tasks: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// HTML escaping of `& < > " '`. minijinja's default also escapes `/`, which is safe but
/// turns every relative link into `..&#x2f;index.html`.
fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.set_formatter(|out, state, value| {
        let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
        match value.as_str() {
            Some(text) if html && !value.is_safe() => {
                let mut escaped = String::with_capacity(text.len() + 16);
                escape_html(text, &mut escaped);
                out.write_str(&escaped).map_err(|_| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write")
                })
            }
            _ => minijinja::escape_formatter(out, state, value),
        }
    });
    let templates: [(&str, &str); 10] = [
        ("base.html", include_str!("templates/base.html")),
        ("index.html", include_str!("templates/index.html")),
        ("profession.html", include_str!("templates/profession.html")),
        ("task.html", include_str!("templates/task.html")),
        ("_counts.html", include_str!("templates/_counts.html")),
        ("_table.html", include_str!("templates/_table.html")),
        ("_skills.html", include_str!("templates/_skills.html")),
        ("_insights.html", include_str!("templates/_insights.html")),
        (
            "_disclaimer.html",
            include_str!("templates/_disclaimer.html"),
        ),
        ("_others.html", include_str!("templates/_others.html")),
    ];
    for (name, source) in templates {
        env.add_template(name, source)
            .expect("the built-in templates compile");
    }
    env
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A relative output path, checked to stay inside the output directory.
fn safe(rel: String) -> anyhow::Result<String> {
    let ok = Path::new(&rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !ok || rel.is_empty() {
        bail!("refusing to write {rel:?}: it would leave the output directory");
    }
    Ok(rel)
}

struct Writer<'a> {
    out: &'a Path,
}

impl Writer<'_> {
    /// Writes a file unless it already holds these bytes; returns whether it wrote.
    fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<bool> {
        let path = self.out.join(rel);
        match fs::read(&path) {
            Ok(existing) if existing == bytes => Ok(false),
            _ => fsx::write_atomic_with(&path, bytes, false)
                .map(|()| true)
                .with_context(|| format!("cannot write {}", path.display())),
        }
    }
}

/// What one profession contributes: files written or unchanged, and their paths.
#[derive(Default)]
struct Done {
    paths: Vec<String>,
    written: usize,
    unchanged: usize,
}

impl Done {
    fn file(&mut self, w: &Writer, rel: String, bytes: &[u8]) -> anyhow::Result<()> {
        let rel = safe(rel)?;
        if w.put(&rel, bytes)? {
            self.written += 1;
        } else {
            self.unchanged += 1;
        }
        self.paths.push(rel);
        Ok(())
    }

    fn add(&mut self, o: Done) {
        self.paths.extend(o.paths);
        self.written += o.written;
        self.unchanged += o.unchanged;
    }
}

/// The JSON API view of a profession.
#[derive(Serialize)]
struct ApiProfession<'a> {
    slug: &'a str,
    name: &'a str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    onet_soc: &'a Option<String>,
    counts: &'a model::Counts,
    high_share: u32,
    tasks: Vec<ApiTask<'a>>,
    skills: Vec<&'a model::Skill>,
    insights: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    attribution: Option<&'static str>,
}

#[derive(Serialize)]
struct ApiTask<'a> {
    #[serde(flatten)]
    task: &'a model::Task,
    url: String,
}

#[derive(Serialize)]
struct ApiIndexEntry<'a> {
    slug: &'a str,
    name: &'a str,
    url: String,
    api: String,
    counts: &'a model::Counts,
    high_share: u32,
}

const ONET_ATTRIBUTION: &str = "Task statements from O*NET, U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), CC BY 4.0.";

fn profession_pages(
    env: &Environment,
    site: &Site,
    all: &[Profession],
    i: usize,
    w: &Writer,
) -> anyhow::Result<Done> {
    let p = &all[i];
    let mut done = Done::default();
    let pv = Value::from(Serde(p));
    let others: Vec<Value> = model::others(all, i, OTHERS)
        .into_iter()
        .map(|o| Value::from(Serde(&serde_json::json!({"slug": o.slug, "name": o.name}))))
        .collect();
    let render = |name: &str, ctx: Value| -> anyhow::Result<String> {
        env.get_template(name)?
            .render(ctx)
            .with_context(|| format!("rendering {name} for {}", p.slug))
    };
    let part = |name: &str, ctx: Value| -> anyhow::Result<Value> {
        Ok(Value::from_safe_string(render(name, ctx)?))
    };
    let parts = context! {
        counts => part("_counts.html", context! { p => pv.clone() })?,
        table => part("_table.html", context! { p => pv.clone(), link_prefix => "" })?,
        skills => part("_skills.html", context! { p => pv.clone() })?,
        insights => part("_insights.html", context! { p => pv.clone() })?,
        disclaimer => part("_disclaimer.html", context! { p => pv.clone() })?,
        others => part("_others.html", context! { others => others, root => "../" })?,
    };
    let site_v = Value::from(Serde(site));
    let plural = model::plural(&p.name);

    let heading = format!("Will AI replace {plural}? Task-by-task AI exposure");
    let lede = format!(
        "How exposed each task of {plural} is to AI, task by task: {} of {} face high exposure. Skills analysis and key insights.",
        model::thousands(p.counts.high),
        model::count(p.counts.tasks, "task", "tasks")
    );
    let page_title = fit(
        &[
            format!("{heading} | {}", site.name),
            format!("Will AI replace {plural}? | {}", site.name),
            format!("Will AI replace {plural}?"),
        ],
        TITLE_MAX,
    );
    let meta_description = fit(
        &[
            lede.clone(),
            format!("How exposed each task of {plural} is to AI: {}.", p.summary),
        ],
        DESCRIPTION_MAX,
    );
    let html = render(
        "profession.html",
        context! {
            site => site_v.clone(), root => "../", heading, lede, page_title, meta_description,
            onet => p.onet, parts => parts.clone(),
            canonical => format!("{}/{}/", site.base_url, p.slug),
        },
    )?;
    done.file(w, format!("{}/index.html", p.slug), html.as_bytes())?;

    for t in &p.tasks {
        let related: Vec<Value> = p
            .tasks
            .iter()
            .filter(|o| o.id != t.id)
            .map(|o| {
                Value::from(Serde(
                    &serde_json::json!({"slug": o.slug, "title": o.title, "level": o.level}),
                ))
            })
            .collect();
        let heading = format!("AI and {}: Impact on {plural}", t.title);
        let lede = format!(
            "Deep dive into how AI is transforming {} for {} professionals. Exposure level, tools, and adaptation strategies.",
            t.title, p.name
        );
        let page_title = fit(
            &[
                format!("{heading} | {}", site.name),
                format!("{}: AI impact on {plural}", t.title),
                format!("{}: AI exposure | {}", t.title, site.name),
                t.title.clone(),
            ],
            TITLE_MAX,
        );
        let meta_description = fit(
            &[
                lede.clone(),
                format!(
                    "How AI is transforming {} for {}: {} exposure, the tools, and how to adapt.",
                    t.title, p.name, t.level
                ),
                format!(
                    "{}: {} AI exposure, the tools, and how to adapt.",
                    t.title, t.level
                ),
            ],
            DESCRIPTION_MAX,
        );
        let html = render(
            "task.html",
            context! {
                site => site_v.clone(), root => "../", onet => p.onet, parts => parts.clone(),
                heading, lede, page_title, meta_description,
                canonical => format!("{}/{}/{}.html", site.base_url, p.slug, t.slug),
                task => Value::from(Serde(t)),
                advice => advice(t.level, &t.title),
                related,
                profession => context! { name => p.name.clone() },
            },
        )?;
        done.file(w, format!("{}/{}.html", p.slug, t.slug), html.as_bytes())?;
    }

    let api = ApiProfession {
        slug: &p.slug,
        name: &p.name,
        url: format!("{}/{}/", site.base_url, p.slug),
        onet_soc: &p.onet_soc,
        counts: &p.counts,
        high_share: p.high_share,
        tasks: p
            .tasks
            .iter()
            .map(|t| ApiTask {
                task: t,
                url: format!("{}/{}/{}.html", site.base_url, p.slug, t.slug),
            })
            .collect(),
        skills: p.vulnerable.iter().chain(&p.resilient).collect(),
        insights: &p.insights,
        attribution: p.onet.then_some(ONET_ATTRIBUTION),
    };
    done.file(
        w,
        format!("api/professions/{}.json", p.slug),
        canonical::pretty(&api).as_bytes(),
    )?;
    Ok(done)
}

/// Builds the site into `out` from the publishable professions.
pub fn publish(professions: &[Profession], site: &Site, out: &Path) -> anyhow::Result<Summary> {
    prepare(out)?;
    let env = environment();
    let w = Writer { out };
    let parts: Vec<anyhow::Result<Done>> = (0..professions.len())
        .into_par_iter()
        .map(|i| profession_pages(&env, site, professions, i, &w))
        .collect();
    let mut done = Done::default();
    for part in parts {
        done.add(part?);
    }

    // The index, in two orders, so it sorts without a server or a script.
    let mut by_exposure: Vec<&Profession> = professions.iter().collect();
    by_exposure.sort_by(|a, b| {
        // Share of HIGH tasks, compared exactly (cross-multiplied), highest first.
        let lhs = b.counts.high * a.counts.tasks.max(1);
        let rhs = a.counts.high * b.counts.tasks.max(1);
        lhs.cmp(&rhs).then_with(|| a.name.cmp(&b.name))
    });
    let mut by_name: Vec<&Profession> = professions.iter().collect();
    by_name.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let any_onet = professions.iter().any(|p| p.onet);
    let total_tasks: usize = professions.iter().map(|p| p.counts.tasks).sum();
    for (file, sort, list) in [
        ("index.html", "name", &by_name),
        ("index-by-exposure.html", "exposure", &by_exposure),
    ] {
        let heading = format!(
            "Will AI replace me? Task-by-task AI exposure of {}",
            model::count(professions.len(), "profession", "professions")
        );
        let lede = format!(
            "How exposed each task of {} is to AI: {} rated HIGH, MEDIUM or LOW, each explained and reviewed by an editor.",
            model::count(professions.len(), "profession", "professions"),
            model::count(total_tasks, "task", "tasks")
        );
        let page_title = fit(
            &[
                format!(
                    "Will AI replace me? Task-by-task AI exposure | {}",
                    site.name
                ),
                format!("Will AI replace me? AI exposure by task | {}", site.name),
            ],
            TITLE_MAX,
        );
        let html = env.get_template("index.html")?.render(context! {
            site => Value::from(Serde(site)), root => "", sort, onet => any_onet,
            heading, meta_description => fit(std::slice::from_ref(&lede), DESCRIPTION_MAX), lede, page_title,
            professions => list.iter().map(|p| Value::from(Serde(*p))).collect::<Vec<_>>(),
            canonical => if sort == "name" { format!("{}/", site.base_url) } else { format!("{}/{file}", site.base_url) },
        })?;
        done.file(&w, file.to_string(), html.as_bytes())?;
    }
    let index: Vec<ApiIndexEntry> = professions
        .iter()
        .map(|p| ApiIndexEntry {
            slug: &p.slug,
            name: &p.name,
            url: format!("{}/{}/", site.base_url, p.slug),
            api: format!("{}/api/professions/{}.json", site.base_url, p.slug),
            counts: &p.counts,
            high_share: p.high_share,
        })
        .collect();
    done.file(
        &w,
        "api/professions/index.json".into(),
        canonical::pretty(&serde_json::json!({"professions": index})).as_bytes(),
    )?;
    done.file(&w, "style.css".into(), STYLE.as_bytes())?;

    let mut sitemap = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url =
        |u: String| sitemap.push_str(&format!("<url><loc>{}</loc></url>\n", xml_escape(&u)));
    url(format!("{}/", site.base_url));
    url(format!("{}/index-by-exposure.html", site.base_url));
    for p in professions {
        url(format!("{}/{}/", site.base_url, p.slug));
        for t in &p.tasks {
            url(format!("{}/{}/{}.html", site.base_url, p.slug, t.slug));
        }
    }
    sitemap.push_str("</urlset>\n");
    done.file(&w, "sitemap.xml".into(), sitemap.as_bytes())?;

    let removed = finish(out, &done.paths)?;
    Ok(Summary {
        professions: professions.len(),
        tasks: total_tasks,
        written: done.written,
        unchanged: done.unchanged,
        removed,
    })
}

/// The output directory must be new, empty, or an earlier publish (it has a manifest):
/// publish never deletes files it did not write.
fn prepare(out: &Path) -> anyhow::Result<()> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() && !out.join(MANIFEST).is_file() {
                return Err(PublishError::NotEmpty {
                    dir: out.display().to_string(),
                }
                .into());
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", out.display())),
    }
}

/// Removes what the previous publish wrote and this one did not; writes the manifest.
fn finish(out: &Path, paths: &[String]) -> anyhow::Result<usize> {
    let now: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let manifest = out.join(MANIFEST);
    let before = fs::read_to_string(&manifest).unwrap_or_default();
    let mut removed = 0;
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for old in before.lines().filter(|l| !l.is_empty() && !now.contains(l)) {
        let Ok(rel) = safe(old.to_string()) else {
            continue;
        };
        let path = out.join(&rel);
        if fs::remove_file(&path).is_ok() {
            removed += 1;
        }
        if let Some(parent) = path.parent() {
            dirs.insert(parent.to_path_buf());
        }
    }
    // Directories left empty go too (deepest first).
    for dir in dirs.iter().rev() {
        if dir != out {
            let _ = fs::remove_dir(dir);
        }
    }
    let mut text: String = now.iter().map(|p| format!("{p}\n")).collect();
    if text.is_empty() {
        text.push('\n');
    }
    fsx::write_if_changed(&manifest, text.as_bytes())?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_directory_are_refused() {
        assert!(safe("../x/index.html".into()).is_err());
        assert!(safe("/etc/passwd".into()).is_err());
        assert!(safe("a/b.html".into()).is_ok());
    }

    #[test]
    fn text_is_escaped_but_slashes_stay() {
        let env = environment();
        let t = env
            .template_from_named_str("t.html", "<a href=\"{{ u }}\">{{ s }}</a>")
            .unwrap();
        let html = t
            .render(context! { u => "../x/index.html", s => "<script>alert('1') & \"x\"</script>" })
            .unwrap();
        assert_eq!(
            html,
            "<a href=\"../x/index.html\">&lt;script&gt;alert(&#39;1&#39;) &amp; &quot;x&quot;&lt;/script&gt;</a>"
        );
    }

    #[test]
    fn the_built_in_templates_compile() {
        let env = environment();
        assert!(env.get_template("task.html").is_ok());
    }
}
