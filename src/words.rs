//! Word diffs of the texts editors read (rationales, tips, reasons), shared by the review
//! screen and `willai diff`: one place decides what a "word" is and how a change is
//! marked, so the terminal, the Markdown comment and the JSON say the same thing.
//!
//! Words are split by `similar`'s `TextDiff::from_words` (runs of whitespace are tokens
//! of their own); neighbouring pieces of the same kind are merged, so a rewritten phrase
//! reads as one `[-old words-]{+new words+}` rather than a dozen.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// What a piece of a word diff is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Delete,
    Insert,
}

/// A run of text that is kept, removed or added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub op: Op,
    pub text: String,
}

/// The word diff from `old` to `new`, whitespace kept, neighbours of one kind merged.
/// Whitespace alone between two changes goes with the change, so `[-a b-]{+c d+}` stays
/// one replacement.
pub fn diff(old: &str, new: &str) -> Vec<Piece> {
    let d = TextDiff::from_words(old, new);
    let mut raw: Vec<Piece> = Vec::new();
    for change in d.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => Op::Equal,
            ChangeTag::Delete => Op::Delete,
            ChangeTag::Insert => Op::Insert,
        };
        raw.push(Piece {
            op,
            text: change.value().to_string(),
        });
    }
    absorb_blanks(&mut raw);
    merge(reorder(raw))
}

/// A blank kept between two changes is removed and added again, so the change reads as
/// one replacement.
fn absorb_blanks(raw: &mut Vec<Piece>) {
    let mut i = 0;
    while i < raw.len() {
        let blank = raw[i].op == Op::Equal && raw[i].text.trim().is_empty();
        let before = i > 0 && raw[i - 1].op != Op::Equal;
        let after = raw.get(i + 1).is_some_and(|p| p.op != Op::Equal);
        if blank && before && after {
            let text = raw[i].text.clone();
            raw[i] = Piece {
                op: Op::Delete,
                text: text.clone(),
            };
            raw.insert(
                i + 1,
                Piece {
                    op: Op::Insert,
                    text,
                },
            );
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// Within each run of changes, deletions first, then insertions.
fn reorder(raw: Vec<Piece>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(raw.len());
    let mut dels: Vec<Piece> = Vec::new();
    let mut ins: Vec<Piece> = Vec::new();
    for p in raw {
        match p.op {
            Op::Delete => dels.push(p),
            Op::Insert => ins.push(p),
            Op::Equal => {
                out.append(&mut dels);
                out.append(&mut ins);
                out.push(p);
            }
        }
    }
    out.append(&mut dels);
    out.append(&mut ins);
    out
}

fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match out.last_mut() {
            Some(last) if last.op == p.op => last.text.push_str(&p.text),
            _ => out.push(p),
        }
    }
    out
}

/// The plain form git uses (`git diff --word-diff=plain`): `[-removed-]{+added+}`; what
/// tests expect `render`'s text form to show.
#[cfg(test)]
pub fn plain(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for p in pieces {
        match p.op {
            Op::Equal => out.push_str(&p.text),
            Op::Delete => {
                out.push_str("[-");
                out.push_str(&p.text);
                out.push_str("-]");
            }
            Op::Insert => {
                out.push_str("{+");
                out.push_str(&p.text);
                out.push_str("+}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_word_reads_as_one_change() {
        let d = diff("AI drafts code quickly.", "AI writes code quickly.");
        assert_eq!(plain(&d), "AI [-drafts-]{+writes+} code quickly.");
        assert!(d.iter().any(|p| p.op != Op::Equal));
        assert!(
            diff("same words", "same words")
                .iter()
                .all(|p| p.op == Op::Equal)
        );
    }

    #[test]
    fn a_rewritten_phrase_is_one_replacement_not_many() {
        let d = diff(
            "People check the output carefully.",
            "Editors review every draft carefully.",
        );
        assert_eq!(
            plain(&d),
            "[-People check the output-]{+Editors review every draft+} carefully."
        );
    }

    #[test]
    fn additions_and_removals_at_the_ends() {
        assert_eq!(plain(&diff("", "new text")), "{+new text+}");
        assert_eq!(plain(&diff("old text", "")), "[-old text-]");
        assert_eq!(plain(&diff("a b", "a b c")), "a b{+ c+}");
    }
}
