//! The theme: the templates pages are rendered with, and the static files copied as they
//! are. Built into the binary, and overridable per project the way zola does it: a file
//! in the project's `templates/` replaces the built-in template of the same name (or adds
//! a new one, for an overriding template to include), and a file in `static/` is copied
//! to the same path in the site, replacing a built-in asset such as `style.css`.
//!
//! HTML auto-escaping is on for every template, whatever its name. A template that does
//! not compile or fails to render is reported with its file (`templates/task.html`, or
//! "built-in" for ours), its line and the problem; undefined variables are errors, so a
//! misspelt name is caught rather than rendered empty.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment};
use sha2::{Digest, Sha256};

use super::error::PublishError;
use super::markdown::{self, Doc};
use crate::beneath::{FileError, Kind, MAX_ASSET, MAX_TEXT};
use crate::root::Root;

/// The built-in templates, by name.
const TEMPLATES: [(&str, &str); 23] = [
    ("base.html", include_str!("templates/base.html")),
    ("index.html", include_str!("templates/index.html")),
    ("profession.html", include_str!("templates/profession.html")),
    ("task.html", include_str!("templates/task.html")),
    (
        "methodology.html",
        include_str!("templates/methodology.html"),
    ),
    ("about.html", include_str!("templates/about.html")),
    ("404.html", include_str!("templates/404.html")),
    ("_counts.html", include_str!("templates/_counts.html")),
    ("_table.html", include_str!("templates/_table.html")),
    ("_skills.html", include_str!("templates/_skills.html")),
    ("_insights.html", include_str!("templates/_insights.html")),
    (
        "_disclaimer.html",
        include_str!("templates/_disclaimer.html"),
    ),
    ("_others.html", include_str!("templates/_others.html")),
    ("_cta.html", include_str!("templates/_cta.html")),
    ("_bar.html", include_str!("templates/_bar.html")),
    ("_byline.html", include_str!("templates/_byline.html")),
    ("_mine.html", include_str!("templates/_mine.html")),
    (
        "_distribution.html",
        include_str!("templates/_distribution.html"),
    ),
    ("_row.html", include_str!("templates/_row.html")),
    ("_crumbs.html", include_str!("templates/_crumbs.html")),
    ("_footer.html", include_str!("templates/_footer.html")),
    ("_audit.html", include_str!("templates/_audit.html")),
    ("_audited.html", include_str!("templates/_audited.html")),
];

/// The built-in static files, by path in the site.
const ASSETS: [(&str, &[u8]); 4] = [
    ("style.css", include_bytes!("static/style.css")),
    ("site.js", include_bytes!("static/site.js")),
    ("favicon.svg", include_bytes!("static/favicon.svg")),
    ("favicon.ico", include_bytes!("static/favicon.ico")),
];

/// How deep `static/` may nest (a guard against folder links that loop).
const MAX_DEPTH: usize = 32;

pub struct Theme {
    env: Environment<'static>,
    /// Where each template came from, as messages show it.
    origins: HashMap<String, String>,
    /// Every static file by its path in the site: the built-in assets, replaced or
    /// joined by the project's `static/`.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The files of the project's `static/` (paths in the site).
    pub project_statics: Vec<String>,
    /// The project's `about.md`, rendered.
    pub about: Option<Doc>,
    /// The sha256 of every template's name and source (and whether there is an about
    /// page): what a page's HTML depends on besides its content, for [`super::Memo`].
    pub fingerprint: [u8; 32],
}

/// HTML escaping of `& < > " '`. minijinja's default also escapes `/`, which is safe but
/// turns every relative link into `..&#x2f;index.html`. Runs of plain text are copied
/// whole: this is the inner loop of publishing 20,000 pages.
pub fn escape_html(text: &str, out: &mut String) {
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // `{{ n | thousands }}`: 19265 -> "19,265", as the text around it writes numbers.
    env.add_filter("thousands", |n: usize| super::text::thousands(n));
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.set_formatter(|out, state, value| {
        let html = matches!(state.auto_escape(), AutoEscape::Html);
        match value.as_str() {
            Some(text) if html && !value.is_safe() => {
                let write_failed =
                    |_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write");
                if !text
                    .bytes()
                    .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
                {
                    return out.write_str(text).map_err(write_failed);
                }
                let mut escaped = String::with_capacity(text.len() + 16);
                escape_html(text, &mut escaped);
                out.write_str(&escaped).map_err(write_failed)
            }
            _ => minijinja::escape_formatter(out, state, value),
        }
    });
    env
}

/// Every file under `dir` (a folder of the project at `root`), as `/`-separated paths
/// relative to it, sorted. A link anywhere below is refused, never followed: a link in a
/// pull request would otherwise publish what it points to (`/proc/self/environ`, CI's
/// secrets, `.git/config`); a FIFO or a device too.
fn files_under(root: &Root, dir: &Path, shown: &str) -> Result<Vec<String>, PublishError> {
    fn walk(
        root: &Root,
        dir: &Path,
        prefix: &str,
        shown: &str,
        depth: usize,
        out: &mut Vec<String>,
    ) -> Result<(), PublishError> {
        let refused = |e: FileError| PublishError::Theme {
            file: e.path().to_string(),
            problem: e.reason(),
        };
        let entries = root.list(dir).map_err(refused)?.unwrap_or_default();
        for entry in entries {
            let Some(name) = entry.name.to_str() else {
                return Err(PublishError::Theme {
                    file: format!("{shown}/{prefix}{}", entry.name.to_string_lossy()),
                    problem: "the name is not UTF-8: rename it".into(),
                });
            };
            let rel = format!("{prefix}{name}");
            let file = format!("{shown}/{rel}");
            match entry.kind {
                Kind::Dir if depth >= MAX_DEPTH => {
                    return Err(PublishError::Theme {
                        file,
                        problem: format!("nested deeper than {MAX_DEPTH} folders"),
                    });
                }
                Kind::Dir => walk(
                    root,
                    &dir.join(name),
                    &format!("{rel}/"),
                    shown,
                    depth + 1,
                    out,
                )?,
                Kind::File => out.push(rel),
                Kind::Link => return Err(refused(FileError::Link { path: file })),
                Kind::Special(kind) => {
                    return Err(refused(FileError::Special { path: file, kind }));
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, dir, "", shown, 0, &mut out)?;
    out.sort();
    Ok(out)
}

/// A file of the theme, read beneath the project root (never through a link, never
/// past `cap`).
fn read_theme_file(root: &Root, path: &Path, cap: u64) -> Result<Option<Vec<u8>>, PublishError> {
    root.read(path, cap, "theme file")
        .map_err(|e| PublishError::Theme {
            file: e.path().to_string(),
            problem: e.reason(),
        })
}

/// Text of the theme: UTF-8, or the error naming the file.
fn theme_text(file: &str, bytes: Vec<u8>) -> Result<String, PublishError> {
    String::from_utf8(bytes).map_err(|_| PublishError::Theme {
        file: file.to_string(),
        problem: "cannot read as UTF-8 text: save it as UTF-8".into(),
    })
}

/// A template error as the user must see it: file, line, problem.
fn template_error(err: &minijinja::Error, origins: &HashMap<String, String>) -> PublishError {
    let name = err.name().unwrap_or("?");
    let file = origins
        .get(name)
        .cloned()
        .unwrap_or_else(|| format!("built-in {name}"));
    let mut message = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    // An error inside an included template names that template in its cause.
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        message.push_str(&format!(" ({c})"));
        cause = c.source();
    }
    PublishError::Template {
        file,
        line: err.line(),
        message,
    }
}

impl Theme {
    /// The built-in theme, with the overrides of the project at `root` (its
    /// `templates/`, `static/` and `about.md`) when given.
    pub fn load(root: Option<&Root>) -> Result<Theme, PublishError> {
        let mut env = environment();
        let mut origins: HashMap<String, String> = HashMap::new();
        let mut sources: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut statics: BTreeMap<String, Vec<u8>> = ASSETS
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect();
        let mut project_statics = Vec::new();
        let mut about = None;
        if let Some(root) = root {
            let dir = root.dir().join("templates");
            for rel in files_under(root, &dir, "templates")? {
                let file = format!("templates/{rel}");
                let Some(bytes) = read_theme_file(root, &dir.join(&rel), MAX_TEXT)? else {
                    continue;
                };
                let text = theme_text(&file, bytes)?;
                origins.insert(rel.clone(), file);
                sources.insert(rel, text);
            }
            let dir = root.dir().join("static");
            for rel in files_under(root, &dir, "static")? {
                let Some(bytes) = read_theme_file(root, &dir.join(&rel), MAX_ASSET)? else {
                    continue;
                };
                statics.insert(rel.clone(), bytes);
                project_statics.push(rel);
            }
            let md = root.dir().join("about.md");
            if let Some(bytes) = read_theme_file(root, &md, MAX_TEXT)? {
                about = Some(markdown::render(&theme_text("about.md", bytes)?));
            }
        }
        let mut hasher = Sha256::new();
        for (name, source) in &sources {
            for part in [name.as_bytes(), source.as_bytes()] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part);
            }
        }
        hasher.update([u8::from(about.is_some())]);
        let fingerprint = hasher.finalize().into();
        for (name, source) in sources {
            env.add_template_owned(name, source)
                .map_err(|e| template_error(&e, &origins))?;
        }
        Ok(Theme {
            env,
            origins,
            statics,
            project_statics,
            about,
            fingerprint,
        })
    }

    /// Renders a template; an error names the file, the line and the problem.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, PublishError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| template_error(&e, &self.origins))
    }

    /// [`Theme::render`] as a value the templates insert as it is (already escaped).
    pub fn part(&self, name: &str, ctx: Value) -> Result<Value, PublishError> {
        Ok(Value::from_safe_string(self.render(name, ctx)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn text_is_escaped_but_slashes_stay() {
        let mut env = environment();
        env.add_template("t.txt", "<a href=\"{{ u }}\">{{ s }}</a>")
            .unwrap();
        let html = env
            .get_template("t.txt")
            .unwrap()
            .render(context! { u => "../x/index.html", s => "<script>alert('1') & \"x\"</script>" })
            .unwrap();
        assert_eq!(
            html,
            "<a href=\"../x/index.html\">&lt;script&gt;alert(&#39;1&#39;) &amp; &quot;x&quot;&lt;/script&gt;</a>"
        );
    }

    #[test]
    fn escaping_keeps_the_text_between_entities() {
        let mut out = String::new();
        escape_html("a&b <c> \"d\" 'e' é", &mut out);
        assert_eq!(out, "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39; é");
        let mut out = String::new();
        escape_html("", &mut out);
        assert_eq!(out, "");
    }

    #[test]
    fn the_built_in_templates_compile() {
        let theme = Theme::load(None).unwrap();
        for (name, _) in TEMPLATES {
            assert!(theme.env.get_template(name).is_ok(), "{name}");
        }
    }
}
