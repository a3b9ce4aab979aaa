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
const TEMPLATES: [(&str, &str); 25] = [
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
    ("_split.html", include_str!("templates/_split.html")),
    ("_compare.html", include_str!("templates/_compare.html")),
    ("_rank.html", include_str!("templates/_rank.html")),
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
const ASSETS: [(&str, &[u8]); 5] = [
    ("style.css", include_bytes!("static/style.css")),
    ("site.js", include_bytes!("static/site.js")),
    ("favicon.svg", include_bytes!("static/favicon.svg")),
    ("favicon.ico", include_bytes!("static/favicon.ico")),
    (
        super::layout::OG_IMAGE,
        include_bytes!("static/og-image.png"),
    ),
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

    /// The width and height of the site's `og:image` when it is a PNG (read from its
    /// header), for the tags that let a card show it before it is fetched.
    pub fn og_image_size(&self) -> Option<(u32, u32)> {
        let png = self.statics.get(super::layout::OG_IMAGE)?;
        if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
            return None;
        }
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        Some((be(&png[16..20]), be(&png[20..24])))
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

    /// A colour of the built-in stylesheet's `:root`, as linear RGB.
    fn css_colour(css: &str, name: &str) -> [f64; 3] {
        let at = css
            .find(&format!("--{name}: #"))
            .unwrap_or_else(|| panic!("no --{name} in style.css"));
        let hex = &css[at + name.len() + 5..at + name.len() + 11];
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        [channel(0), channel(2), channel(4)]
    }

    fn luminance(c: [f64; 3]) -> f64 {
        0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    }

    /// WCAG's contrast ratio.
    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// CIELAB (D65), for a colour difference (CIE76 ΔE).
    fn lab(c: [f64; 3]) -> [f64; 3] {
        let c = c.map(|v| v.clamp(0.0, 1.0));
        let x = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047;
        let y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        let z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
        let (a, b) = (lab(a), lab(b));
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    /// Issue 23: the levels' colours stay apart for every reader. Each pair of HIGH,
    /// MEDIUM and LOW fills differs by at least 30 (CIE76 ΔE) with normal vision and
    /// under protanopia, deuteranopia and tritanopia, simulated as Machado, Oliveira
    /// and Fernandes (2009) do at full severity in linear RGB (the old HIGH #a4161a
    /// and LOW #1f6f43 were 26 apart under deuteranopia, 17 under protanopia, and
    /// 1.03:1 in luminance); each fill stands out from the paper at 3:1 (WCAG's
    /// non-text contrast), each level's label is readable on its badge (4.5:1).
    #[test]
    fn the_level_colours_stay_apart_for_colour_blind_readers() {
        let css = std::str::from_utf8(ASSETS[0].1).unwrap();
        const MACHADO: [(&str, [[f64; 3]; 3]); 3] = [
            (
                "protanopia",
                [
                    [0.152286, 1.052583, -0.204868],
                    [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998],
                ],
            ),
            (
                "deuteranopia",
                [
                    [0.367322, 0.860646, -0.227968],
                    [0.280085, 0.672501, 0.047413],
                    [-0.011820, 0.042940, 0.968881],
                ],
            ),
            (
                "tritanopia",
                [
                    [1.255528, -0.076749, -0.178779],
                    [-0.078411, 0.930809, 0.147602],
                    [0.004733, 0.691367, 0.303900],
                ],
            ),
        ];
        let simulate = |m: &[[f64; 3]; 3], c: [f64; 3]| {
            [0, 1, 2].map(|i| (0..3).map(|j| m[i][j] * c[j]).sum::<f64>())
        };
        // The simulation itself: the figures for the old colours.
        let old = css_colour("--x: #a4161a", "x");
        let deutan = simulate(&MACHADO[1].1, old).map(|v| {
            let v = v.clamp(0.0, 1.0);
            let s = if v <= 0.0031308 {
                12.92 * v
            } else {
                1.055 * v.powf(1.0 / 2.4) - 0.055
            };
            (s * 255.0).round() as u8
        });
        assert_eq!(
            deutan,
            [0x69, 0x5d, 0x12],
            "#a4161a is #695d12 to a deuteranope"
        );
        let fills = ["high-fill", "medium-fill", "low-fill"].map(|n| (n, css_colour(css, n)));
        let paper = css_colour(css, "paper");
        for (name, m) in std::iter::once((
            "normal vision",
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        ))
        .chain(MACHADO)
        {
            for (i, (a, ca)) in fills.iter().enumerate() {
                for (b, cb) in &fills[i + 1..] {
                    let d = delta_e(simulate(&m, *ca), simulate(&m, *cb));
                    assert!(d >= 30.0, "{a} and {b} are {d:.1} apart with {name}");
                }
            }
        }
        for (n, c) in &fills {
            let r = contrast(*c, paper);
            assert!(r >= 3.0, "{n} stands out from the paper at {r:.2}:1");
        }
        for level in ["high", "medium", "low"] {
            let r = contrast(
                css_colour(css, level),
                css_colour(css, &format!("{level}-bg")),
            );
            assert!(r >= 4.5, "the {level} badge reads at {r:.2}:1");
        }
    }

    #[test]
    fn the_built_in_og_image_is_a_1200_by_630_png() {
        let theme = Theme::load(None).unwrap();
        assert_eq!(theme.og_image_size(), Some((1200, 630)));
    }

    #[test]
    fn the_built_in_templates_compile() {
        let theme = Theme::load(None).unwrap();
        for (name, _) in TEMPLATES {
            assert!(theme.env.get_template(name).is_ok(), "{name}");
        }
    }
}
