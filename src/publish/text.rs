//! The English of the site, by rule: how a profession is named in a sentence ("ML
//! Engineers"; a short form of a long name for page titles), counts and lists ("19,268 tasks", "A, B,
//! C, D, and 11 more"), names ("Ann, Bob and Cy"), dates, the summary and key insights
//! of a profession, the advice under a focus task, and page titles and descriptions that
//! fit what search engines show (70 and 160 characters), falling back to shorter forms
//! for long task titles and profession names rather than being cut mid-word. Nothing
//! here is generated: every sentence is computed from the records.

use super::view::{Coverage, LevelCounts, Profession, Skill, Task};
use crate::record::Level;

/// "ML Engineer" -> "ML Engineers"; names already plural stay as they are.
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

impl Profession {
    /// The people who do the work, in the plural: "ML Engineers". An O*NET title is
    /// already that ("Clergy", "Teachers, Postsecondary", "Cooks, Fast Food"), so it
    /// stays as it is; an editor's name gets an "s" unless it ends in one.
    pub fn plural(&self) -> String {
        if self.onet_soc.is_some() {
            self.name.clone()
        } else {
            plural(&self.name)
        }
    }
}

/// A count with its noun, singular or plural, the number grouped by thousands:
/// "1 task", "19,268 tasks".
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    let noun = if n == 1 { singular } else { plural };
    format!("{} {noun}", thousands(n))
}

/// 19268 -> "19,268": as every count of the tool is written.
pub use crate::text::thousands;

/// Names listed in an insight before the rest are counted.
const LISTED: usize = 4;

/// A list as the reference page writes it, "A, B, C", with no item's closing full stop;
/// past [`LISTED`] names (and two more at least), the rest are counted: "A, B, C, D, and
/// 11 more".
fn list(items: &[&str]) -> String {
    let clean: Vec<&str> = items.iter().map(|s| s.trim_end_matches('.')).collect();
    if clean.len() <= LISTED + 1 {
        return clean.join(", ");
    }
    format!(
        "{}, and {} more",
        clean[..LISTED].join(", "),
        thousands(clean.len() - LISTED)
    )
}

/// How much of a profession is reviewed: "8 of 30 tasks reviewed so far", "all 30 tasks
/// reviewed" (the one task: "the 1 task reviewed").
pub fn coverage(reviewed: usize, tasks: usize) -> String {
    if reviewed >= tasks {
        match tasks {
            1 => "the 1 task reviewed".to_string(),
            n => format!("all {} tasks reviewed", thousands(n)),
        }
    } else {
        format!(
            "{} of {} reviewed so far",
            thousands(reviewed),
            count(tasks, "task", "tasks")
        )
    }
}

/// "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW"; while tasks are missing, "8 of 30 tasks
/// reviewed so far: 3 HIGH, 4 MEDIUM, 1 LOW", never a split that reads as the
/// profession's.
pub fn summary(c: &LevelCounts, coverage: &Coverage) -> String {
    if coverage.missing > 0 {
        return format!(
            "{} of {} reviewed so far: {} HIGH, {} MEDIUM, {} LOW",
            thousands(c.tasks),
            count(coverage.tasks, "task", "tasks"),
            thousands(c.high),
            thousands(c.medium),
            thousands(c.low)
        );
    }
    format!(
        "{} of {} HIGH, {} MEDIUM, {} LOW",
        thousands(c.high),
        count(c.tasks, "task", "tasks"),
        thousands(c.medium),
        thousands(c.low)
    )
}

/// The key insights of a profession, by rule, in the site's one vocabulary (HIGH,
/// MEDIUM and LOW exposure to AI; skills vulnerable or resilient). Every sentence ends
/// with exactly one full stop; lists are capped; titles are shown as written. While
/// some of the `catalog` tasks are not shown, the counts say they are of the tasks
/// reviewed so far.
pub fn insights(
    tasks: &[Task],
    vulnerable: &[Skill],
    resilient: &[Skill],
    catalog: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let total = tasks.len();
    let titles = |level: Level| -> Vec<&str> {
        tasks
            .iter()
            .filter(|t| t.level == level)
            .map(|t| t.title.as_str())
            .collect()
    };
    // "1 of 8 tasks faces", "2 of 8 tasks face": the verb goes with the first number.
    let verb = |n: usize| if n == 1 { "faces" } else { "face" };
    let partial = total < catalog;
    let of = |n: usize| {
        if partial {
            format!(
                "Of the {} reviewed so far (of {}), {} {}",
                count(total, "task", "tasks"),
                thousands(catalog),
                thousands(n),
                verb(n)
            )
        } else {
            format!(
                "{} of {} {}",
                thousands(n),
                count(total, "task", "tasks"),
                verb(n)
            )
        }
    };
    if total > 0 {
        let high = titles(Level::High);
        if high.is_empty() {
            let none = if partial {
                format!(
                    "None of the {} reviewed so far (of {}) faces",
                    count(total, "task", "tasks"),
                    thousands(catalog)
                )
            } else if total == 1 {
                "The task does not face".to_string()
            } else {
                format!("None of the {} tasks face", thousands(total))
            };
            out.push(format!("{none} HIGH exposure to AI."));
        } else {
            out.push(format!(
                "{} HIGH exposure to AI: {}.",
                of(high.len()),
                list(&high)
            ));
        }
        let low = titles(Level::Low);
        if !low.is_empty() {
            out.push(format!(
                "{} LOW exposure to AI: {}.",
                of(low.len()),
                list(&low)
            ));
        }
    }
    if !vulnerable.is_empty() {
        let names: Vec<&str> = vulnerable.iter().map(|s| s.name.as_str()).collect();
        let verb = if names.len() == 1 { "faces" } else { "face" };
        out.push(format!(
            "{} {verb} increasing automation pressure.",
            list(&names)
        ));
    }
    if !resilient.is_empty() {
        let names: Vec<&str> = resilient.iter().map(|s| s.name.as_str()).collect();
        let verb = if names.len() == 1 {
            "remains"
        } else {
            "remain"
        };
        out.push(format!("{} {verb} resilient.", list(&names)));
    }
    out
}

/// Names up to this long are short enough for a page title beside a task's title.
pub const SHORT_NAME: usize = 40;

/// A shorter form of a long profession name, for page titles, by rule (an editor's
/// `short_name` in the catalog wins over it). O*NET's long titles are of a few shapes,
/// shortened in turn until the name fits [`SHORT_NAME`] characters or no rule is left:
/// - a trailing exception or inclusion goes ("Dispatchers, Except Police, Fire, and
///   Ambulance" -> "Dispatchers");
/// - "Setters, Operators, and Tenders" are "Operators";
/// - a head that names people, then a qualifier, keeps the head ("Agricultural Sciences
///   Teachers, Postsecondary" -> "Agricultural Sciences Teachers");
/// - a list of kinds keeps its first and last, and drops a qualifier after it
///   ("Aircraft Structure, Surfaces, Rigging, and Systems Assemblers" -> "Aircraft
///   Structure and Systems Assemblers");
/// - "First-Line Supervisors of ..." are "Supervisors of ...".
///
/// Names made the same by these rules are told apart where titles are written
/// ([`super::heads`]).
pub fn short_name(name: &str) -> String {
    let fits = |s: &str| s.chars().count() <= SHORT_NAME;
    let mut s = name.trim().to_string();
    if fits(&s) {
        return s;
    }
    for tail in [", Except ", ", Including "] {
        if let Some(i) = s.find(tail) {
            s.truncate(i);
        }
    }
    if let Some(head) = s.strip_suffix(", All Other") {
        s = head.to_string();
    }
    s = s.replace("Setters, Operators, and Tenders", "Operators");
    if fits(&s) {
        return s;
    }
    let parts: Vec<&str> = s.split(", ").collect();
    if parts.len() > 1 {
        let head = parts[0];
        let names_people = head
            .rsplit(' ')
            .next()
            .is_some_and(|w| w.len() > 3 && w.ends_with('s') && !w.ends_with("ss"));
        if names_people && head.contains(' ') {
            s = head.to_string();
        } else if let Some(end) = parts[1..].iter().find_map(|p| p.strip_prefix("and ")) {
            // The list ends at its "and ..."; qualifiers after it go too.
            s = format!("{head} and {end}");
        }
    }
    if !fits(&s)
        && let Some(rest) = s.strip_prefix("First-Line ")
    {
        s = rest.to_string();
    }
    s
}

/// "2026-04-20" -> "April 20, 2026": the same spelling as the edition's date.
pub use crate::config::long_date;

/// Names as a sentence says them: "Ann", "Ann and Bob", "Ann, Bob and Cy", and past three
/// "Ann, Bob and 3 others" (a byline's reviewers).
pub fn names(names: &[String]) -> String {
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
    use crate::publish::view::Coverage;
    use crate::publish::view::sample::{profession, skill, task};
    use crate::record::Verdict;

    #[test]
    fn dates_and_names_read_as_sentences() {
        assert_eq!(long_date("2026-04-20").as_deref(), Some("April 20, 2026"));
        assert_eq!(long_date("2026-13-01"), None);
        let n = |v: &[&str]| names(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
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

    #[test]
    fn insights_read_like_the_published_page() {
        let tasks = [
            task("Write production code", Level::High),
            task("Build and maintain data pipelines", Level::Medium),
            task("Train and evaluate ML models", Level::High),
        ];
        let vulnerable: Vec<Skill> = [
            "Coding delivery",
            "Python",
            "Data Engineering",
            "Machine Learning",
        ]
        .iter()
        .map(|n| skill(n, Verdict::Vulnerable))
        .collect();
        assert_eq!(
            insights(&tasks, &vulnerable, &[], 3),
            vec![
                "2 of 3 tasks face HIGH exposure to AI: Write production code, Train and evaluate ML models.",
                "Coding delivery, Python, Data Engineering, Machine Learning face increasing automation pressure.",
            ]
        );
    }

    #[test]
    fn insights_cover_low_tasks_resilient_skills_and_no_high_tasks() {
        let tasks = [
            task("Paint housings.", Level::Low),
            task("Sort widgets", Level::Medium),
        ];
        assert_eq!(
            insights(&tasks, &[], &[skill("Painting", Verdict::Resilient)], 2),
            vec![
                "None of the 2 tasks face HIGH exposure to AI.",
                "1 of 2 tasks faces LOW exposure to AI: Paint housings.",
                "Painting remains resilient."
            ]
        );
    }

    /// Issue 22: with 1 of Chief Executives' 30 tasks approved, nothing reads as if the
    /// one task were the profession.
    #[test]
    fn insights_of_a_partly_reviewed_profession_say_so() {
        let one = [task("Direct financial activities", Level::High)];
        assert_eq!(
            insights(&one, &[], &[], 30),
            vec![
                "Of the 1 task reviewed so far (of 30), 1 faces HIGH exposure to AI: Direct financial activities."
            ]
        );
        let two = [
            task("Appoint department heads", Level::Medium),
            task("Confer with board members", Level::Low),
        ];
        assert_eq!(
            insights(&two, &[], &[], 30),
            vec![
                "None of the 2 tasks reviewed so far (of 30) faces HIGH exposure to AI.",
                "Of the 2 tasks reviewed so far (of 30), 1 faces LOW exposure to AI: Confer with board members.",
            ]
        );
        let c = LevelCounts {
            tasks: 8,
            high: 3,
            medium: 4,
            low: 1,
            skills: 0,
            supplemental: 0,
        };
        let partial = Coverage {
            reviewed: 8,
            tasks: 30,
            missing: 22,
            complete: false,
            text: coverage(8, 30),
        };
        assert_eq!(partial.text, "8 of 30 tasks reviewed so far");
        assert_eq!(
            summary(&c, &partial),
            "8 of 30 tasks reviewed so far: 3 HIGH, 4 MEDIUM, 1 LOW"
        );
        assert_eq!(coverage(30, 30), "all 30 tasks reviewed");
        assert_eq!(coverage(1, 1), "the 1 task reviewed");
    }

    /// At 30 tasks: lists are capped, every sentence ends once, counts agree in number.

    #[test]
    fn insights_of_a_30_task_profession() {
        let levels = [
            Level::High,
            Level::High,
            Level::Medium,
            Level::Low,
            Level::High,
        ];
        let tasks: Vec<Task> = (0..30)
            .map(|i| task(&format!("Do thing {i}."), levels[i % levels.len()]))
            .collect();
        let got = insights(&tasks, &[skill("Filing", Verdict::Vulnerable)], &[], 30);
        assert_eq!(
            got,
            vec![
                "18 of 30 tasks face HIGH exposure to AI: Do thing 0, Do thing 1, Do thing 4, Do thing 5, and 14 more.",
                "6 of 30 tasks face LOW exposure to AI: Do thing 3, Do thing 8, Do thing 13, Do thing 18, and 2 more.",
                "Filing faces increasing automation pressure.",
            ]
        );
        for sentence in &got {
            assert!(
                sentence.ends_with('.') && !sentence.ends_with(".."),
                "{sentence}"
            );
            assert!(!sentence.contains(".,"), "{sentence}");
        }
        let one = [task("Sort widgets", Level::High)];
        assert_eq!(
            insights(&one, &[], &[], 1),
            vec!["1 of 1 task faces HIGH exposure to AI: Sort widgets."]
        );
        let five = ["A", "B", "C", "D", "E"].map(|n| skill(n, Verdict::Resilient));
        assert_eq!(
            insights(&[], &[], &five, 4),
            vec!["A, B, C, D, E remain resilient."]
        );
    }

    #[test]
    fn summaries_and_counts_read_right() {
        let c = LevelCounts {
            tasks: 20,
            high: 7,
            medium: 8,
            low: 5,
            skills: 4,
            supplemental: 0,
        };
        let all = Coverage {
            reviewed: 20,
            tasks: 20,
            ..Coverage::default()
        };
        assert_eq!(summary(&c, &all), "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW");
        assert_eq!(count(1, "profession", "professions"), "1 profession");
        assert_eq!(count(19268, "task", "tasks"), "19,268 tasks");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn long_onet_names_have_a_short_form_for_titles() {
        for (name, short) in [
            ("Data Scientists", "Data Scientists"),
            (
                "Dispatchers, Except Police, Fire, and Ambulance",
                "Dispatchers",
            ),
            (
                "Agricultural Sciences Teachers, Postsecondary",
                "Agricultural Sciences Teachers",
            ),
            (
                "Aircraft Structure, Surfaces, Rigging, and Systems Assemblers",
                "Aircraft Structure and Systems Assemblers",
            ),
            (
                "Grinding, Lapping, Polishing, and Buffing Machine Tool Setters, Operators, and Tenders, Metal and Plastic",
                "Grinding and Buffing Machine Tool Operators",
            ),
            (
                "Cutting and Slicing Machine Setters, Operators, and Tenders",
                "Cutting and Slicing Machine Operators",
            ),
            (
                "First-Line Supervisors of Material-Moving Machine and Vehicle Operators",
                "Supervisors of Material-Moving Machine and Vehicle Operators",
            ),
            (
                "Judges, Magistrate Judges, and Magistrates",
                "Judges and Magistrates",
            ),
        ] {
            assert_eq!(short_name(name), short, "{name}");
        }
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("ML Engineer"), "ML Engineers");
        assert_eq!(plural("Data Scientists"), "Data Scientists");
        // O*NET titles are plural (or mass nouns) already.
        for (name, soc) in [
            ("Clergy", "21-2011.00"),
            ("Teachers, Postsecondary", "25-1199.00"),
            ("Cooks, Fast Food", "35-2011.00"),
        ] {
            let mut p = profession("x", Some(soc));
            p.name = name.into();
            assert_eq!(p.plural(), name);
        }
        let mut ml = profession("ml-engineer", None);
        ml.name = "ML Engineer".into();
        assert_eq!(ml.plural(), "ML Engineers");
    }
}
