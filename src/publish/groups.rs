//! O*NET major groups on the site: the index groups professions by them, breadcrumbs
//! name them, and "other professions" prefer the same group. The table is `crate::soc`,
//! below both the site and the audit's report.

pub use crate::soc::{Group, OTHER, of, rank};
