//! The sentences a page is made of, written by rule: the advice under a focus task, and
//! page titles and descriptions that fit what search engines show (70 and 160
//! characters), falling back to shorter forms for long task titles and profession names
//! rather than being cut mid-word.

use crate::record::Level;

/// "2026-04-20" -> "April 20, 2026": the same spelling as the edition's date.
pub use crate::config::long_date;

/// Names as a sentence says them: "Ann", "Ann and Bob", "Ann, Bob and Cy", and past three
/// "Ann, Bob and 3 others".
pub fn people(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} others", rest.len()),
    }
}

/// What search engines show of a page title, and of a description.
pub const TITLE_MAX: usize = 70;
pub const DESCRIPTION_MAX: usize = 160;

/// The first candidate that fits in `max` characters; else the last, cut at a word
/// boundary with an ellipsis.
pub fn fit(candidates: &[String], max: usize) -> String {
    if let Some(c) = candidates.iter().find(|c| c.chars().count() <= max) {
        return c.clone();
    }
    let last = candidates.last().map(String::as_str).unwrap_or_default();
    let budget = max.saturating_sub(1);
    let cut: String = last.chars().take(budget).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > budget / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        at_word.trim_end_matches([' ', ',', ';', ':', '.', '-'])
    )
}

/// The advice shown under the focus task, by level. The task's title goes in with its
/// first letter in lower case, as the reference page writes it ("rely heavily on write
/// production code"), unless it starts with an acronym ("ML reviews").
pub fn advice(level: Level, title: &str) -> String {
    let mut t = title.trim_end_matches('.').to_string();
    if let Some(first) = t.chars().next() {
        let second_upper = t.chars().nth(1).is_some_and(char::is_uppercase);
        if !second_upper {
            t = first.to_lowercase().chain(t.chars().skip(1)).collect();
        }
    }
    match level {
        Level::High => format!(
            "This task is under significant AI automation pressure. Professionals who rely heavily on {t} should consider building complementary skills in judgment, strategy, and cross-functional coordination."
        ),
        Level::Medium => format!(
            "AI tools can take over parts of this task, but people still steer and check the result. Professionals who rely heavily on {t} should learn the tools that speed it up and keep the judgment that catches their mistakes."
        ),
        Level::Low => format!(
            "This task is resilient: AI is unlikely to change how it is done any time soon. Professionals who rely heavily on {t} can treat it as a strength, and still watch for tools that help around its edges."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_names_read_as_sentences() {
        assert_eq!(long_date("2026-04-20").as_deref(), Some("April 20, 2026"));
        assert_eq!(long_date("2026-13-01"), None);
        let n = |v: &[&str]| people(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(n(&["Ann"]), "Ann");
        assert_eq!(n(&["Ann", "Bob"]), "Ann and Bob");
        assert_eq!(n(&["Ann", "Bob", "Cy"]), "Ann, Bob and Cy");
        assert_eq!(
            n(&["Ann", "Bob", "Cy", "Di", "Ed"]),
            "Ann, Bob and 3 others"
        );
    }

    #[test]
    fn advice_lowercases_like_the_published_page() {
        assert!(
            advice(Level::High, "Write production code")
                .contains("rely heavily on write production code should")
        );
        assert!(advice(Level::Low, "ML reviews.").contains("rely heavily on ML reviews can"));
    }

    #[test]
    fn the_first_candidate_that_fits_wins_else_the_last_is_cut_at_a_word() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(fit(&c(&["a long one", "short"]), 6), "short");
        assert_eq!(fit(&c(&["fits"]), 6), "fits");
        let cut = fit(
            &c(&["Prepare detailed reports on audit findings, for managers"]),
            30,
        );
        assert_eq!(cut, "Prepare detailed reports on…");
        assert!(cut.chars().count() <= 30);
    }
}
