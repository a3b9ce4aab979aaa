//! Why a site cannot be published: one type, so the exit code follows from it
//! (`exit::code_for`): everything here asks the user to change something (exit 2).

/// Why a site cannot be published. Each says what to change (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "{dir} is not empty and holds no earlier publish ({manifest} is missing): publish into a new or empty directory"
    )]
    NotEmpty { dir: String, manifest: &'static str },
    #[error("{dir} is not a directory: give --out a directory (new, empty, or an earlier publish)")]
    NotADirectory { dir: String },
    #[error(
        "{path} is a symbolic link: publish never writes or deletes through a link inside the output directory; replace it with a real directory (or remove it) and publish again"
    )]
    Link { path: String },
    #[error("{file}{}: {message}: fix the template (the README's Themes section lists what each template is given)", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Template {
        file: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{file}: {problem}")]
    Theme { file: String, problem: String },
    #[error(
        "{file} would replace {page}, which publish writes itself: rename or remove it (static/ may replace style.css, site.js, favicon.svg and favicon.ico)"
    )]
    StaticClash { file: String, page: String },
    #[error(
        "--out {out} is inside {inside}, which {why}: publish outside it (e.g. --out site at the project's root)"
    )]
    InsideProject {
        out: String,
        inside: String,
        why: &'static str,
    },
    #[error(
        "--out {out} goes through {link}, a symbolic link inside the project: a link in the repository must not send the site elsewhere. Publish to a real folder (remove the link), or name the folder it points to yourself"
    )]
    OutThroughLink { out: String, link: String },
}

impl PublishError {
    /// Whether the user must change the command, the project or the output directory
    /// (exit 2) rather than retry (exit 1).
    pub fn is_usage(&self) -> bool {
        match self {
            PublishError::NotEmpty { .. }
            | PublishError::NotADirectory { .. }
            | PublishError::Link { .. }
            | PublishError::Template { .. }
            | PublishError::Theme { .. }
            | PublishError::StaticClash { .. }
            | PublishError::InsideProject { .. }
            | PublishError::OutThroughLink { .. } => true,
        }
    }
}
