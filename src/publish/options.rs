//! How a site is built: what may be shown and with which theme. A separate value so that
//! the preview (`willai serve --drafts`) is a small addition: it sets `drafts`.

use std::path::PathBuf;

/// How a site is built. `publish` shows approved content only; `willai serve --drafts`
/// sets `drafts` to show unapproved text too, marked "not yet reviewed".
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Show drafts, edited and changed-after-approval text too, without a review.
    pub drafts: bool,
    /// The project root whose `templates/`, `static/` and `about.md` make the theme;
    /// `None` for the built-in theme alone.
    pub theme: Option<PathBuf>,
    /// The latest complete audit, stated on the methodology page, beside the index's
    /// shares and in bylines (`publish::audit::figures`); `None` without one.
    pub audit: Option<super::audit::Figures>,
}
