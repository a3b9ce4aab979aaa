//! Slugs: the file names and URL parts made from names. Written by hand (a dozen lines)
//! so they stay deterministic across dependency updates, and safe by construction: only
//! `a-z`, `0-9` and single dashes, so no name can make a path leave its directory.

/// Lowercase ASCII letters and digits, runs of anything else turned into one dash, no
/// leading or trailing dash. Common Latin accents are folded (`é` -> `e`). Never empty.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() { "x".to_string() } else { out }
}

/// A slug cut to at most `max` bytes at a dash, for long task statements.
pub fn slugify_short(name: &str, max: usize) -> String {
    let full = slugify(name);
    if full.len() <= max {
        return full;
    }
    let cut = full[..max].rfind('-').filter(|&i| i > 0).unwrap_or(max);
    full[..cut].to_string()
}

/// Whether a slug is a name Windows reserves for a device (`con`, `nul`, `com1`, ...):
/// a checkout on Windows cannot hold `con.json` or `con/`, whatever the extension.
pub fn is_windows_reserved(slug: &str) -> bool {
    let stem = slug.split('.').next().unwrap_or(slug);
    matches!(stem, "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

/// A slug that is safe as a file name everywhere: reserved names get `suffix`.
pub fn portable(slug: String, suffix: &str) -> String {
    if is_windows_reserved(&slug) {
        format!("{slug}-{suffix}")
    } else {
        slug
    }
}

/// Whether a string is already a valid slug.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty() && slugify(s) == s
}

fn fold(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ß' => "ss",
        _ => "",
    };
    let keep = folded.is_empty().then_some(c);
    folded.chars().chain(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slugify("ML Engineer"), "ml-engineer");
        assert_eq!(slugify("  Chief Executives "), "chief-executives");
        assert_eq!(slugify("Café & Bar—Managers"), "cafe-bar-managers");
        assert_eq!(slugify("../../x"), "x");
        assert_eq!(slugify("Écoles/../../etc"), "ecoles-etc");
        assert_eq!(slugify("!!!"), "x");
    }

    #[test]
    fn short_slugs_cut_at_a_dash() {
        assert_eq!(slugify_short("Write production code", 12), "write");
        assert_eq!(
            slugify_short("Write production code", 100),
            "write-production-code"
        );
        assert_eq!(slugify_short("abcdefghij", 4), "abcd");
    }

    #[test]
    fn windows_device_names_are_reserved() {
        for name in [
            "con", "prn", "aux", "nul", "com1", "com9", "lpt1", "com0", "nul.json",
        ] {
            assert!(is_windows_reserved(name), "{name}");
        }
        for name in ["console", "auxiliary", "com", "com10", "nullify", "lpt"] {
            assert!(!is_windows_reserved(name), "{name}");
        }
        assert_eq!(portable("con".into(), "occupation"), "con-occupation");
        assert_eq!(portable("cooks".into(), "occupation"), "cooks");
    }

    #[test]
    fn is_slug_accepts_only_canonical_slugs() {
        assert!(is_slug("ml-engineer"));
        assert!(!is_slug("ML-engineer"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug(""));
    }
}
