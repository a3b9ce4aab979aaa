//! Whether a site fits where a publication is likely to host it. Static hosts limit
//! what they take: Cloudflare Pages' free plan 20,000 files per site and 25 MiB per file,
//! GitHub Pages 1 GB per site (and git 100 MiB per file). The full O*NET site is about
//! 21,000 files, so `publish` says when a site goes over a limit, and what fits:
//! `[site] deep_dives = "core"` leaves O*NET's Supplemental tasks on their
//! profession's page only.

use crate::config::DeepDives;

/// A static host's limits.
pub struct Host {
    pub name: &'static str,
    pub max_files: Option<usize>,
    pub max_file_bytes: Option<u64>,
    pub max_site_bytes: Option<u64>,
}

const MIB: u64 = 1024 * 1024;

/// The hosts publications use most, with the limits their documentation gives.
pub const HOSTS: [Host; 2] = [
    Host {
        name: "Cloudflare Pages (free plan)",
        max_files: Some(20_000),
        max_file_bytes: Some(25 * MIB),
        max_site_bytes: None,
    },
    Host {
        name: "GitHub Pages",
        max_files: None,
        max_file_bytes: Some(100 * MIB),
        max_site_bytes: Some(1_000_000_000),
    },
];

/// The site as a host sees it.
#[derive(Debug, Default, Clone)]
pub struct Size {
    pub files: usize,
    pub bytes: u64,
    /// The largest file and its size.
    pub largest: u64,
    pub largest_file: String,
    pub deep_dives: DeepDives,
    /// Deep dives of Supplemental tasks written: the files `deep_dives = "core"` saves.
    pub supplemental_pages: usize,
}

/// "21,124 files", "233.4 MB".
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// What a publisher should know before uploading: one sentence per limit the site goes
/// over, each with what fits (none when the site fits every host).
pub fn notes(size: &Size) -> Vec<String> {
    let mut out = Vec::new();
    for host in &HOSTS {
        if let Some(max) = host.max_files
            && size.files > max
        {
            let fix = if size.deep_dives == DeepDives::All && size.supplemental_pages > 0 {
                let core = size.files - size.supplemental_pages;
                format!(
                    "`[site] deep_dives = \"core\"` in willai.toml writes {} (deep dives for Core tasks only; Supplemental tasks stay on their profession's page){}",
                    super::text::count(core, "file", "files"),
                    if core > max {
                        ", still too many: publish fewer professions there"
                    } else {
                        ""
                    }
                )
            } else {
                "publish fewer professions there, or host it elsewhere".to_string()
            };
            out.push(format!(
                "the site has {}: more than {} takes ({} per site); {fix}",
                super::text::count(size.files, "file", "files"),
                host.name,
                super::text::thousands(max)
            ));
        }
        if let Some(max) = host.max_file_bytes
            && size.largest > max
        {
            out.push(format!(
                "{} weighs {}: more than {} takes ({} per file)",
                size.largest_file,
                megabytes(size.largest),
                host.name,
                megabytes(max)
            ));
        }
        if let Some(max) = host.max_site_bytes
            && size.bytes > max
        {
            out.push(format!(
                "the site weighs {}: more than {} takes ({} per site)",
                megabytes(size.bytes),
                host.name,
                megabytes(max)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_over_a_host_limit_is_told_what_fits() {
        let size = Size {
            files: 21_124,
            bytes: 233_000_000,
            largest: 3_000_000,
            largest_file: "ai-exposure-by-task.csv".into(),
            deep_dives: DeepDives::All,
            supplemental_pages: 4_728,
        };
        let notes = notes(&size);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("21,124 files"), "{}", notes[0]);
        assert!(notes[0].contains("Cloudflare Pages"), "{}", notes[0]);
        assert!(notes[0].contains("writes 16,396 files"), "{}", notes[0]);
        let core = Size {
            files: 16_396,
            deep_dives: DeepDives::Core,
            supplemental_pages: 0,
            ..size.clone()
        };
        assert!(super::notes(&core).is_empty());
        let heavy = Size {
            largest: 30 * MIB,
            bytes: 1_200_000_000,
            ..core
        };
        let notes = super::notes(&heavy);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("ai-exposure-by-task.csv weighs 31.5 MB"));
        assert!(notes[1].contains("GitHub Pages"));
    }
}
