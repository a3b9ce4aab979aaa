//! Replies that parse and fit the schema but say nothing, in three classes: template
//! placeholders (`{type}`, `{{title}}`, `<skill>`, `[insert tool]`, JSON Schema words
//! such as `type:string`), the prompt's own instructions given back as the answer ("The
//! task as a headline of at most 60 characters"), and a text that is only a verdict or
//! level word (a skill's reason "vulnerable", a title "HIGH").
//!
//! A small model writes these under a grammar that only constrains the shape. They are
//! invalid replies like any other (asked again once with the message, never cached), a
//! cached one is a miss, and `validate` names them in a record. The messages are written
//! for the model, as the re-ask quotes them.
//!
//! The first two classes are decided from the text alone. Echoes are decided against
//! [`Instructions`]: the words of the project's own templates outside their variables
//! and quoted examples, so a title that keeps the task statement's words (as the prompt
//! asks) or copies an example title is never taken for an echo.

use std::collections::HashSet;

/// Words that carry no content on their own: the verdicts and levels, and what stands
/// for nothing (`N/A` reads as `n a`).
const EMPTY_WORDS: [&str; 11] = [
    "vulnerable",
    "resilient",
    "high",
    "medium",
    "low",
    "none",
    "null",
    "unknown",
    "tbd",
    "n/a",
    "na",
];

/// JSON Schema's type names, which a model copies from the schema it was shown.
const SCHEMA_TYPES: [&str; 7] = [
    "string", "object", "array", "number", "integer", "boolean", "null",
];

/// How many consecutive words of the instructions make an echo.
const RUN: usize = 5;

/// Share of a sentence's words that, covered by runs of the instructions, make it an
/// echo rather than a sentence that borrows a phrase of the rubric.
const ECHO_SHARE: f64 = 0.7;

/// What kind of text a field holds: a headline or a name (an echo of any run of the
/// instructions is one), or a sentence (it must be mostly echo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Headline,
    Sentence,
}

/// The words of a text as written (letters and digits).
fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The lowercase words of a text (letters and digits).
fn words(text: &str) -> Vec<String> {
    raw_words(text).map(str::to_lowercase).collect()
}

/// Why a text is a placeholder or only a verdict word, if it is, for the model (the
/// re-ask quotes it). `field` is how the message names it (`` `tip` ``, `a name in
/// `tools``).
pub fn problem(field: &str, text: &str) -> Option<String> {
    what(text).map(|what| format!("{field} {what}: write the {} itself", bare(field)))
}

/// What is wrong with a text, without naming its field: "holds a template placeholder
/// ({type}), not text", "only says \"vulnerable\"".
pub fn what(text: &str) -> Option<String> {
    if let Some(p) = placeholder(text) {
        return Some(format!("holds a template placeholder ({p}), not text"));
    }
    // Only a text of at most three words can be verdict words alone (most are sentences:
    // they are not split into words at all).
    let few = raw_words(text).nth(3).is_none();
    if !few {
        return None;
    }
    let trimmed = text.trim().trim_end_matches('.').to_lowercase();
    let w = words(text);
    if EMPTY_WORDS.contains(&trimmed.as_str())
        || (!w.is_empty() && w.iter().all(|w| EMPTY_WORDS.contains(&w.as_str())))
    {
        return Some(format!("only says {:?}, not in words", text.trim()));
    }
    None
}

/// `tip` from `` `tip` `` or `` the `reason` of "Python" ``, for "write the tip itself".
fn bare(field: &str) -> &str {
    if field.starts_with("a name in") {
        return "name";
    }
    field
        .split('`')
        .nth(1)
        .filter(|f| !f.is_empty())
        .unwrap_or("text")
}

/// The first placeholder in a text, as written.
fn placeholder(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    // `{type}`, `{{ title }}`, `{tool:string}`, `${name}`, `<skill>`, `<task name>`.
    for (open, close) in [('{', '}'), ('<', '>')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            let inner = after[..end].trim_matches(|c| c == open || c == ' ');
            let looks = !inner.is_empty()
                && inner.chars().count() <= 40
                && inner.starts_with(|c: char| c.is_alphabetic() || c == '_')
                && inner.chars().all(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | ' ' | ':' | '.' | '-' | '\'')
                });
            if looks {
                let shown_end = (start + open.len_utf8() + end + close.len_utf8()).min(rest.len());
                let mut shown = rest[start..shown_end].to_string();
                if open == '{' && after[end..].starts_with("}}") {
                    shown.push('}');
                }
                return Some(shown);
            }
            rest = &after[end..];
        }
    }
    // `[insert tool]`, `[your name]`, `[placeholder]`.
    for marker in [
        "[insert",
        "[your ",
        "[placeholder",
        "[todo",
        "[tbd",
        "[name of",
    ] {
        if let Some(at) = lower.find(marker) {
            let end = lower[at..].find(']').map_or(lower.len(), |e| at + e + 1);
            return text.get(at..end).map(String::from);
        }
    }
    // Template and format markers.
    for marker in ["{{", "}}", "{%", "%}", "%s", "lorem ipsum"] {
        if lower.contains(marker) {
            return Some(marker.to_string());
        }
    }
    // JSON Schema residue: `type:string`, `"type": "object"`, `type':'array'`.
    if lower.contains("type") {
        let squeezed: String = lower
            .chars()
            .filter(|c| !matches!(c, ' ' | '"' | '\''))
            .collect();
        for (at, _) in squeezed.match_indices("type:") {
            let after = &squeezed[at + "type:".len()..];
            if let Some(t) = SCHEMA_TYPES.iter().find(|t| after.starts_with(*t)) {
                return Some(format!("type:{t}"));
            }
        }
    }
    // A JSON Schema type name alone ("string" as a tool).
    let mut w = raw_words(text);
    if let (Some(only), None) = (w.next(), w.next())
        && SCHEMA_TYPES.iter().any(|t| only.eq_ignore_ascii_case(t))
    {
        return Some(text.trim().to_string());
    }
    None
}

/// The instructions of a project's templates: every run of [`RUN`] words of their text
/// outside variables, tags, comments and quoted examples; and apart, those of the lines
/// that describe a reply field (`"tip": one sentence of ...`).
#[derive(Clone, Debug, Default)]
pub struct Instructions {
    runs: HashSet<String>,
    described: HashSet<String>,
}

fn insert_runs(text: &str, into: &mut HashSet<String>) {
    for piece in static_pieces(text) {
        for run in words(&piece).windows(RUN) {
            into.insert(run.join(" "));
        }
    }
}

/// Whether a template line describes a reply field: it names one in quotes followed by
/// a colon (`"title": the task as a headline ...`).
fn describes_a_field(line: &str) -> bool {
    line.match_indices('"').any(|(at, _)| {
        let rest = &line[at + 1..];
        rest.find('"').is_some_and(|end| {
            let name = &rest[..end];
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && rest[end + 1..].trim_start().starts_with(':')
        })
    })
}

impl Instructions {
    /// From template sources (minijinja).
    pub fn of_templates<'a>(sources: impl IntoIterator<Item = &'a str>) -> Instructions {
        let mut i = Instructions::default();
        for source in sources {
            insert_runs(source, &mut i.runs);
            for line in source.lines().filter(|l| describes_a_field(l)) {
                insert_runs(line, &mut i.described);
            }
        }
        i
    }

    /// Why a text gives the instructions back, if it does: a headline that holds any run
    /// of them, or a sentence mostly made of the description of a field (a sentence may
    /// fairly say what the templates' examples and rubric say).
    pub fn echo(&self, field: &str, text: &str, kind: Kind) -> Option<String> {
        let runs = match kind {
            Kind::Headline => &self.runs,
            Kind::Sentence => &self.described,
        };
        if runs.is_empty() {
            return None;
        }
        let w = words(text);
        if w.len() < RUN {
            return None;
        }
        let mut covered = vec![false; w.len()];
        let mut first: Option<usize> = None;
        // One buffer for every run's key: validate asks this of every text of every record.
        let mut key = String::new();
        for (i, run) in w.windows(RUN).enumerate() {
            key.clear();
            for (j, word) in run.iter().enumerate() {
                if j > 0 {
                    key.push(' ');
                }
                key.push_str(word);
            }
            if runs.contains(key.as_str()) {
                first.get_or_insert(i);
                covered[i..i + RUN].iter_mut().for_each(|c| *c = true);
            }
        }
        let first = first?;
        let share = covered.iter().filter(|c| **c).count() as f64 / w.len() as f64;
        if kind == Kind::Sentence && share < ECHO_SHARE {
            return None;
        }
        let quote = w[first..(first + RUN + 3).min(w.len())].join(" ");
        Some(format!(
            "{field} repeats the instructions (\"{quote}...\") instead of answering: write the {} itself",
            bare(field)
        ))
    }
}

/// The text of a template a reader of the prompt sees whatever the variables are: the
/// source without `{{ }}`, `{% %}` and `{# #}` and without what is in double quotes
/// (examples, which a reply may fairly repeat), cut where any of them was.
fn static_pieces(source: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut rest = source;
    loop {
        let next = ["{{", "{%", "{#", "\""]
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, *m)))
            .min();
        let Some((at, marker)) = next else {
            current.push_str(rest);
            break;
        };
        current.push_str(&rest[..at]);
        pieces.push(std::mem::take(&mut current));
        let after = &rest[at + marker.len()..];
        let close = match marker {
            "{{" => "}}",
            "{%" => "%}",
            "{#" => "#}",
            _ => "\"",
        };
        rest = match after.find(close) {
            Some(end) => &after[end + close.len()..],
            None => "",
        };
    }
    pieces.push(current);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_in_every_form() {
        for junk in [
            "{type}",
            "{{title}}: The task is to read the text aloud.",
            "{type} {tool:string}{description}",
            "Use <tool name> for it.",
            "[Insert tool here]",
            "type:string",
            "the type:object",
            "type':'object'}}",
            "\"type\": \"array\"",
            "string",
            "Lorem ipsum dolor sit amet.",
        ] {
            assert!(problem("`tip`", junk).is_some(), "{junk}");
        }
        let err = problem("`tip`", "{type} {tool:string}").unwrap();
        assert_eq!(
            err,
            "`tip` holds a template placeholder ({type}), not text: write the tip itself"
        );
        for fine in [
            "LLMs can draft and transform code quickly.",
            "GitHub Copilot",
            "Use a type checker such as mypy.",
            "Keep strings short (under 40 characters).",
            "Compare figures a > b and b < c by hand.",
            "Strings and objects are typed by the compiler.",
        ] {
            assert_eq!(problem("`tip`", fine), None, "{fine}");
        }
    }

    #[test]
    fn a_text_of_verdict_words_alone_is_no_text() {
        assert_eq!(
            problem("the `reason` of \"Python\"", "vulnerable").unwrap(),
            "the `reason` of \"Python\" only says \"vulnerable\", not in words: write the reason itself"
        );
        for junk in ["HIGH", "Resilient.", "N/A", "none", "high - HIGH"] {
            assert!(problem("`title`", junk).is_some(), "{junk}");
        }
        for fine in [
            "High-volume data entry",
            "Low-level code review",
            "Python",
            "T",
            "a.",
            "Title",
            "r",
        ] {
            assert_eq!(problem("`title`", fine), None, "{fine}");
        }
    }

    fn task_template() -> Instructions {
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts/task.j2"),
        )
        .unwrap();
        Instructions::of_templates([source.as_str()])
    }

    #[test]
    fn echoes_of_the_instructions_are_told_from_answers() {
        let i = task_template();
        let err = i
            .echo(
                "`title`",
                "The task as a headline of at most 60 characters, in the Imm",
                Kind::Headline,
            )
            .unwrap();
        assert!(
            err.starts_with(
                "`title` repeats the instructions (\"the task as a headline of at most...\")"
            ),
            "{err}"
        );
        assert!(
            i.echo(
                "`tip`",
                "One sentence of practical advice for adapting, addressed to the worker.",
                Kind::Sentence
            )
            .is_some()
        );
        // Quoted examples and the task's own words are fair game; a rationale that borrows
        // a phrase of the rubric is still an answer.
        for (text, kind) in [
            ("Prepare tax returns for clients", Kind::Headline),
            ("Write production code", Kind::Headline),
            (
                "Consult reference books to check grammar and composition",
                Kind::Headline,
            ),
            (
                "An LLM could cut the time the task takes by half for first drafts, but a proofreader still signs off.",
                Kind::Sentence,
            ),
        ] {
            assert_eq!(i.echo("`x`", text, kind), None, "{text}");
        }
        assert!(
            Instructions::default()
                .echo("`x`", "the task as a headline of at most", Kind::Headline)
                .is_none()
        );
        // The published examples in the template are answers, not instructions.
        assert_eq!(
            i.echo("`rationale`", "LLMs can draft and transform code quickly. Human review is still needed for architecture, edge cases, and system fit.", Kind::Sentence),
            None
        );
        assert!(
            describes_a_field("- \"tip\": one sentence")
                && !describes_a_field("- \"Write production code\" (ML Engineer), HIGH: LLMs")
        );
    }

    #[test]
    fn the_static_text_leaves_out_variables_tags_comments_and_quotes() {
        let pieces =
            static_pieces("a {{ x }} b {% if y %}c{% endif %} {# note #}d \"quoted text\" e");
        let text = pieces.join("|");
        assert!(
            !text.contains('x') && !text.contains("note") && !text.contains("quoted"),
            "{text}"
        );
        assert!(text.contains("a ") && text.contains(" e"), "{text}");
    }
}
