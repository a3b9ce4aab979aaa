//! Characters that must never reach a page or a record: control characters (a NUL, a
//! stray line break in a one-line text), and the invisible format characters that
//! reorder or hide text (bidirectional overrides and isolates, the byte-order mark, line
//! separators). Found by one function, so the importer, `validate` and `approve` refuse
//! the same things and name them the same way.

use std::fmt;

/// A character a text may not hold, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forbidden {
    pub ch: char,
    /// Position in characters, counted from 1.
    pub at: usize,
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.ch {
            '\0' => "NUL",
            '\t' => "a tab",
            '\n' => "a line break",
            '\r' => "a carriage return",
            '\u{7f}' => "DEL",
            '\u{202a}'..='\u{202e}' => "a bidirectional embedding or override",
            '\u{2066}'..='\u{2069}' => "a bidirectional isolate",
            '\u{200e}' | '\u{200f}' | '\u{061c}' => "a direction mark",
            '\u{feff}' => "a byte-order mark",
            '\u{2028}' | '\u{2029}' => "a line or paragraph separator",
            c if c.is_control() => "a control character",
            _ => "an invisible format character",
        };
        write!(
            f,
            "contains {name} (U+{:04X}) at character {}: remove it",
            self.ch as u32, self.at
        )
    }
}

/// Why a person's name (a reviewer) cannot be one: it starts like a spreadsheet formula
/// (`=`, `+`, `-`, `@`), which the site's CSV would otherwise carry to a spreadsheet.
pub fn formula_like(name: &str) -> Option<String> {
    let first = name.trim_start().chars().next()?;
    matches!(first, '=' | '+' | '-' | '@').then(|| {
        format!(
            "starts with {first:?}, as a spreadsheet formula does (a CSV of the site carries it): write the name itself"
        )
    })
}

/// Whether a character may appear in a one-line text.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{feff}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Text from a file made safe to print on a terminal: every forbidden character other
/// than a line break or a tab is shown as its escape (`\u001b`), so a record cannot move
/// the cursor, retitle the window or reorder what a reviewer reads. The escape is JSON's,
/// so JSON output stays valid and means the same.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let shown = |c: char| c == '\n' || c == '\t' || !is_forbidden(c);
    if s.chars().all(shown) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if shown(c) {
            out.push(c);
        } else {
            // Every forbidden character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", c as u32));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text from a file or a server made safe as one line of a terminal or a record: like
/// [`visible`], and line breaks and tabs escaped too, so it cannot fake a line of its own
/// (`retry: ...`, a problem, an error kept in a record).
pub fn visible_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_forbidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_forbidden(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The first forbidden character of a one-line text.
pub fn forbidden(s: &str) -> Option<Forbidden> {
    s.chars()
        .enumerate()
        .find(|(_, c)| is_forbidden(*c))
        .map(|(i, ch)| Forbidden { ch, at: i + 1 })
}

/// A count as people read it: 19265 -> "19,265".
pub fn thousands(n: usize) -> String {
    thousands_u64(n as u64)
}

/// [`thousands`] of a count kept as `u64` (tokens, bytes).
pub fn thousands_u64(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_shows_controls_as_escapes_and_keeps_lines() {
        assert_eq!(visible("plain – é\n\tnext"), "plain – é\n\tnext");
        assert_eq!(
            visible("a\u{1b}]0;PWNED\u{7}b\rc\u{202e}d\u{9b}"),
            "a\\u001b]0;PWNED\\u0007b\\u000dc\\u202ed\\u009b"
        );
        // Inside a JSON string the escape reads back as the same character.
        let json = visible("\"x\u{202e}y\"").into_owned();
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), "x\u{202e}y");
    }

    #[test]
    fn one_line_text_escapes_line_breaks_too() {
        assert_eq!(visible_line("plain – é"), "plain – é");
        assert_eq!(
            visible_line("HTTP 500: \u{1b}[2Jgone\nretry: fake"),
            "HTTP 500: \\u001b[2Jgone\\u000aretry: fake"
        );
        assert!(forbidden(&visible_line("a\u{9b}b\tc")).is_none());
    }

    #[test]
    fn controls_and_invisible_reordering_are_found_with_their_position() {
        assert_eq!(forbidden("Plain text, é and – dashes"), None);
        let f = forbidden("ab\u{202e}cd").unwrap();
        assert_eq!((f.ch, f.at), ('\u{202e}', 3));
        assert_eq!(
            f.to_string(),
            "contains a bidirectional embedding or override (U+202E) at character 3: remove it"
        );
        assert_eq!(
            forbidden("a\0").unwrap().to_string(),
            "contains NUL (U+0000) at character 2: remove it"
        );
        assert!(forbidden("two\nlines").is_some());
        assert!(forbidden("x\u{2067}y").is_some());
        assert!(forbidden("\u{feff}x").is_some());
    }
}
