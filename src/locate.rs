//! Where things are in a JSON file: a JSON pointer to the line and column of its key (or
//! of the value, for an array element), and every duplicate key with its line.
//!
//! serde_json keeps no positions, and a `Value` keeps only the last of two equal keys, so
//! neither can say where `/tasks/3/level` is written or that `level` is written twice.
//! Problems are found on the parsed value and named by pointer; this module maps them
//! back to the text, so an annotation lands on the line of the key it names (`validate
//! --format github`), and `validate`/`fmt` name a duplicate key and its line. Any check
//! that reports a pointer gets its line from here: call [`Locator::new`] once per file
//! and [`Locator::nearest`] per problem.
//!
//! The scan is one pass over the bytes with an explicit stack (no recursion, so a deeply
//! nested hostile file cannot overflow it). It never fails: on text that is not JSON it
//! stops where the syntax breaks and keeps what it saw; the syntax error itself is
//! serde_json's to report.

use std::collections::HashMap;

/// A place in a text: 1-based line, 1-based column counted in characters (what an
/// editor shows and GitHub expects), so `é` is one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A key written twice (or more) in one object. serde_json's `Value` keeps the last;
/// willai's typed readers refuse the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The JSON pointer of the object that holds the key (`""` for the top level).
    pub object: String,
    /// The key, as decoded (escapes resolved).
    pub key: String,
    /// Where the key is written first.
    pub first: Position,
    /// Where it is written again (one `Duplicate` per repetition).
    pub again: Position,
}

impl Duplicate {
    /// The pointer the repeated key names (`/tasks/0/level`).
    pub fn pointer(&self) -> String {
        format!("{}/{}", self.object, escape(&self.key))
    }

    /// The problem in words, for `validate` and `fmt`: the key, where it is, and what to
    /// do. The caller adds the line (`again`) as the problem's location.
    pub fn message(&self) -> String {
        let within = if self.object.is_empty() {
            "the top-level object".to_string()
        } else {
            self.object.clone()
        };
        format!(
            "duplicate key {:?} in {within} (first on line {}): keep one of them, since JSON readers disagree about which one counts",
            self.key, self.first.line
        )
    }
}

/// A JSON pointer token: `~` as `~0`, `/` as `~1` (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// How deep the scan goes. serde_json refuses more than 128 levels, so every file that
/// parses is scanned whole; a hostile one costs no more than this.
pub const MAX_DEPTH: usize = 512;

/// Where each value of a text is: its key (members of objects) and its first byte.
#[derive(Clone, Copy, Debug)]
struct Spot {
    key: Option<usize>,
    value: usize,
}

/// The positions of every value of one JSON text, and its duplicate keys.
#[derive(Debug)]
pub struct Locator<'t> {
    text: &'t str,
    /// Byte offset where each line starts.
    lines: Vec<usize>,
    spots: HashMap<String, Spot>,
    duplicates: Vec<Duplicate>,
}

/// An open container while scanning.
enum Frame {
    Object {
        pointer: String,
        /// Each key seen in this object, with the offset of its first occurrence.
        keys: HashMap<String, usize>,
    },
    Array {
        pointer: String,
        next: usize,
    },
}

/// What the scanner expects next.
enum Expect {
    /// A value, at this pointer, whose key (if any) starts here.
    Value(String, Option<usize>),
    /// A key or the end of the object just opened.
    KeyOrEnd,
    /// A key, after a comma.
    Key,
    /// A value or the end of the array just opened.
    ElementOrEnd,
    /// A comma or the end of the innermost container, after a value.
    After,
}

impl<'t> Locator<'t> {
    /// Scans `text` once (a leading byte-order mark is skipped).
    pub fn new(text: &'t str) -> Locator<'t> {
        let mut lines = vec![0];
        lines.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut loc = Locator {
            text,
            lines,
            spots: HashMap::new(),
            duplicates: Vec::new(),
        };
        loc.scan();
        loc
    }

    fn scan(&mut self) {
        let b = self.text.as_bytes();
        let mut i = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        let mut stack: Vec<Frame> = Vec::new();
        let mut expect = Expect::Value(String::new(), None);
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            if i >= b.len() {
                return;
            }
            expect = match expect {
                Expect::Value(pointer, key) => {
                    self.spots.insert(pointer.clone(), Spot { key, value: i });
                    match b[i] {
                        _ if stack.len() >= MAX_DEPTH => return,
                        b'{' => {
                            i += 1;
                            stack.push(Frame::Object {
                                pointer,
                                keys: HashMap::new(),
                            });
                            Expect::KeyOrEnd
                        }
                        b'[' => {
                            i += 1;
                            stack.push(Frame::Array { pointer, next: 0 });
                            Expect::ElementOrEnd
                        }
                        b'"' => match string_end(b, i) {
                            Some(end) => {
                                i = end;
                                Expect::After
                            }
                            None => return,
                        },
                        b',' | b':' | b'}' | b']' => return,
                        _ => {
                            while i < b.len()
                                && !matches!(
                                    b[i],
                                    b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                                )
                            {
                                i += 1;
                            }
                            Expect::After
                        }
                    }
                }
                Expect::KeyOrEnd | Expect::Key => {
                    let may_end = matches!(expect, Expect::KeyOrEnd);
                    if may_end && b[i] == b'}' {
                        i += 1;
                        stack.pop();
                        Expect::After
                    } else if b[i] == b'"' {
                        let Some(end) = string_end(b, i) else { return };
                        let Ok(key) = serde_json::from_str::<String>(&self.text[i..end]) else {
                            return;
                        };
                        let key_at = i;
                        i = end;
                        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
                            i += 1;
                        }
                        if b.get(i) != Some(&b':') {
                            return;
                        }
                        i += 1;
                        let Some(Frame::Object { pointer, keys }) = stack.last_mut() else {
                            return;
                        };
                        let child = format!("{pointer}/{}", escape(&key));
                        if let Some(&first) = keys.get(&key) {
                            let object = pointer.clone();
                            self.duplicates.push(Duplicate {
                                object,
                                key,
                                first: position_in(self.text, &self.lines, first),
                                again: position_in(self.text, &self.lines, key_at),
                            });
                        } else {
                            keys.insert(key, key_at);
                        }
                        Expect::Value(child, Some(key_at))
                    } else {
                        return;
                    }
                }
                Expect::ElementOrEnd if b[i] == b']' => {
                    i += 1;
                    stack.pop();
                    Expect::After
                }
                Expect::ElementOrEnd => match stack.last_mut() {
                    Some(Frame::Array { pointer, next }) => {
                        *next += 1;
                        Expect::Value(format!("{pointer}/0"), None)
                    }
                    _ => return,
                },
                Expect::After => match (stack.last_mut(), b[i]) {
                    (None, _) => return,
                    (Some(Frame::Object { .. }), b',') => {
                        i += 1;
                        Expect::Key
                    }
                    (Some(Frame::Array { pointer, next }), b',') => {
                        i += 1;
                        let at = format!("{pointer}/{next}");
                        *next += 1;
                        Expect::Value(at, None)
                    }
                    (Some(Frame::Object { .. }), b'}') | (Some(Frame::Array { .. }), b']') => {
                        i += 1;
                        stack.pop();
                        Expect::After
                    }
                    _ => return,
                },
            };
        }
    }

    /// Where the value at `pointer` is written: its key for a member of an object, the
    /// value itself for an array element or the whole document. `None` when the text has
    /// no such value. Of two equal keys, the last counts (as in serde_json).
    pub fn find(&self, pointer: &str) -> Option<Position> {
        self.spots
            .get(pointer)
            .map(|s| self.position(s.key.unwrap_or(s.value)))
    }

    /// Where the value at `pointer` is written, or its nearest enclosing value that is
    /// (a missing field is named at the object that lacks it); line 1 at worst.
    pub fn nearest(&self, pointer: &str) -> Position {
        let mut p = pointer;
        loop {
            if let Some(at) = self.find(p) {
                return at;
            }
            match p.rfind('/') {
                Some(cut) => p = &p[..cut],
                None => return Position { line: 1, column: 1 },
            }
        }
    }

    /// Where the value at `pointer` itself starts (not its key).
    pub fn value(&self, pointer: &str) -> Option<Position> {
        self.spots.get(pointer).map(|s| self.position(s.value))
    }

    /// Every repeated key, in the order they are written.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The position of a byte offset of the text.
    pub fn position(&self, offset: usize) -> Position {
        position_in(self.text, &self.lines, offset)
    }
}

/// The position of a byte offset, given where lines start.
fn position_in(text: &str, lines: &[usize], offset: usize) -> Position {
    let offset = offset.min(text.len());
    let line = lines.partition_point(|&start| start <= offset).max(1);
    let start = lines[line - 1];
    let column = text
        .get(start..offset)
        .map_or(offset - start, |s| s.chars().count())
        + 1;
    Position { line, column }
}

/// A `line:column` as serde_json reports it (the column in bytes) as a [`Position`]
/// (the column in characters).
pub fn from_serde(text: &str, line: usize, byte_column: usize) -> Position {
    let line = line.max(1);
    let Some(this) = text.split('\n').nth(line - 1) else {
        return Position {
            line,
            column: byte_column.max(1),
        };
    };
    let mut cut = byte_column.saturating_sub(1).min(this.len());
    while !this.is_char_boundary(cut) {
        cut -= 1;
    }
    Position {
        line,
        column: this[..cut].chars().count() + 1,
    }
}

/// The offset just past the string that starts at `start` (a `"`), if it ends.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Whether some object of `text` (a JSON text that parsed) may write a key twice: a quick
/// scan of keys alone, without the positions [`Locator`] keeps, so that the many files
/// with none are spared building it. A key written with an escape counts as a maybe
/// (two spellings may be one key); a `true` is then settled by [`Locator::duplicates`].
pub fn may_repeat_a_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Per open container: the keys of an object (`None` for an array), and whether a
    // string next would be a key.
    let mut open: Vec<(Option<std::collections::HashSet<&str>>, bool)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => open.push((Some(Default::default()), true)),
            b'[' => open.push((None, false)),
            b'}' | b']' => {
                open.pop();
            }
            b',' => {
                if let Some((Some(_), expect_key)) = open.last_mut() {
                    *expect_key = true;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        escaped = true;
                        j += 1;
                    }
                    j += 1;
                }
                if let Some((Some(keys), expect_key)) = open.last_mut()
                    && *expect_key
                {
                    *expect_key = false;
                    let key = text.get(start..j.min(bytes.len())).unwrap_or_default();
                    if escaped || !keys.insert(key) {
                        return true;
                    }
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    const RECORD: &str = "{\n  \"$schema\": \"x\",\n  \"tasks\": [\n    {\n      \"id\": \"a\",\n      \"level\": \"HIGH\",\n      \"tools\": [\n        \"x\",\n        \"y\"\n      ]\n    },\n    {\"id\": \"b\", \"a/b~c\": {}, \"esc\\\"aped\": [[], [1, {\"k\": null}]]}\n  ]\n}\n";

    #[test]
    fn pointers_find_their_keys_and_elements() {
        let l = Locator::new(RECORD);
        assert_eq!(l.find(""), at(1, 1));
        assert_eq!(l.find("/$schema"), at(2, 3));
        assert_eq!(l.find("/tasks"), at(3, 3));
        assert_eq!(l.find("/tasks/0"), at(4, 5), "an element: its value");
        assert_eq!(l.find("/tasks/0/level"), at(6, 7), "a member: its key");
        assert_eq!(l.value("/tasks/0/level"), at(6, 16));
        assert_eq!(l.find("/tasks/0/tools/1"), at(9, 9));
        assert_eq!(l.find("/tasks/1"), at(12, 5));
        assert_eq!(l.find("/tasks/1/id"), at(12, 6));
        assert_eq!(l.find("/tasks/1/a~1b~0c"), at(12, 17), "escaped tokens");
        assert_eq!(l.find("/tasks/1/esc\"aped/1/1/k"), at(12, 53));
        assert_eq!(l.find("/tasks/1/esc\"aped/0"), at(12, 44));
        assert_eq!(l.find("/tasks/2"), None);
        assert_eq!(l.find("/tasks/0/status"), None);
        assert!(l.duplicates().is_empty());
    }

    /// Every pointer of a parsed value, with the value.
    fn walk(v: &serde_json::Value, at: String, out: &mut Vec<(String, serde_json::Value)>) {
        out.push((at.clone(), v.clone()));
        match v {
            serde_json::Value::Object(m) => {
                for (k, c) in m {
                    walk(c, format!("{at}/{}", escape(k)), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    walk(c, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_value_of_real_files_is_found_where_it_is_written() {
        let compact =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(RECORD).unwrap())
                .unwrap();
        for text in [
            include_str!("../tests/fixtures/valid/data/records/widget-makers.json"),
            include_str!("../tests/fixtures/valid/data/records/ml-engineer.json"),
            include_str!("../data/schema/record.schema.json"),
            RECORD,
            &compact,
        ] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let mut all = Vec::new();
            walk(&value, String::new(), &mut all);
            let l = Locator::new(text);
            assert!(all.len() > 10);
            for (pointer, want) in all {
                let spot = l.spots[&pointer];
                let mut read = serde_json::Deserializer::from_str(&text[spot.value..])
                    .into_iter::<serde_json::Value>();
                assert_eq!(read.next().unwrap().unwrap(), want, "{pointer}");
                if let Some(k) = spot.key {
                    let key: String = serde_json::Deserializer::from_str(&text[k..])
                        .into_iter::<String>()
                        .next()
                        .unwrap()
                        .unwrap();
                    let last = pointer.rsplit('/').next().unwrap();
                    assert_eq!(escape(&key), last, "{pointer}");
                }
            }
        }
    }

    #[test]
    fn a_missing_value_is_named_at_its_nearest_parent() {
        let l = Locator::new(RECORD);
        assert_eq!(
            l.nearest("/tasks/0/status"),
            Position { line: 4, column: 5 }
        );
        assert_eq!(
            l.nearest("/tasks/7/approval/sha256"),
            Position { line: 3, column: 3 }
        );
        assert_eq!(l.nearest("/nothing"), Position { line: 1, column: 1 });
        let empty = Locator::new("");
        assert_eq!(empty.nearest("/a"), Position { line: 1, column: 1 });
    }

    /// The quick scan says "maybe" wherever the locator finds a repeated key, and "no"
    /// for texts whose keys are unique, strings holding braces, quotes and commas too.
    #[test]
    fn the_quick_scan_agrees_with_the_locator_on_repeated_keys() {
        let repeated = [
            "{\"a\": 1, \"a\": 2}",
            "{\"o\": {\"k\": 1, \"k\": 2}}",
            "{\"l\": [{\"x\": 0}, {\"x\": 1, \"y\": {}, \"x\": 2}]}",
            "{\"a\": \"}, \\\"a\\\": {\", \"a\": 3}",
            "{\n  \"tasks\": [\n    {\n      \"id\": \"a\",\n      \"level\": \"HIGH\",\n      \"level\": \"LOW\"\n    }\n  ]\n}\n",
        ];
        for text in repeated {
            assert!(!Locator::new(text).duplicates().is_empty(), "{text}");
            assert!(may_repeat_a_key(text), "{text}");
        }
        let unique = [
            "{}",
            "[]",
            "{\"a\": {\"a\": {\"a\": 1}}, \"b\": [\"a\", \"a\"]}",
            "{\"l\": [{\"x\": 0}, {\"x\": 1}], \"x\": \"x\"}",
            "{\"a\": \"{\\\"a\\\": 1, \\\"a\\\": 2}\", \"b\": \"[,]\"}",
            "{\n  \"tasks\": [\n    {\n      \"id\": \"a\",\n      \"level\": \"HIGH\"\n    },\n    {\n      \"id\": \"b\",\n      \"level\": \"LOW\"\n    }\n  ]\n}\n",
        ];
        for text in unique {
            assert!(Locator::new(text).duplicates().is_empty(), "{text}");
            assert!(!may_repeat_a_key(text), "{text}");
        }
        // An escaped key may be the same key written another way: a maybe.
        assert!(may_repeat_a_key("{\"\\u0061\": 1, \"a\": 2}"));
    }

    #[test]
    fn duplicate_keys_are_found_with_both_lines_and_the_last_counts() {
        let text = "{\n  \"a\": 1,\n  \"o\": {\"k\": 1,\n    \"k\": 2, \"k\": 3},\n  \"a\": [\n    {\"x\": 0, \"x\": 1}\n  ]\n}";
        let l = Locator::new(text);
        let d: Vec<(String, String, usize, usize)> = l
            .duplicates()
            .iter()
            .map(|d| (d.pointer(), d.key.clone(), d.first.line, d.again.line))
            .collect();
        assert_eq!(
            d,
            vec![
                ("/o/k".into(), "k".into(), 3, 4),
                ("/o/k".into(), "k".into(), 3, 4),
                ("/a".into(), "a".into(), 2, 5),
                ("/a/0/x".into(), "x".into(), 6, 6),
            ]
        );
        assert_eq!(l.duplicates()[1].again.column, 13);
        // As serde_json's Value: the last one counts.
        assert_eq!(l.find("/a"), at(5, 3));
        assert_eq!(l.find("/a/0/x"), at(6, 14));
        assert!(
            l.duplicates()[2]
                .message()
                .contains("the top-level object (first on line 2)")
        );
        // Keys equal only once escapes are read are the same key.
        let l = Locator::new(r#"{"é": 1, "\u00e9": 2}"#);
        assert_eq!(l.duplicates().len(), 1);
        assert_eq!(l.duplicates()[0].key, "é");
    }

    #[test]
    fn columns_count_characters_and_a_bom_is_skipped() {
        let l = Locator::new("\u{feff}{\"é€𝄞\": {\"k\": 1}}");
        // The BOM is a character on line 1: `{` is column 2.
        assert_eq!(l.find(""), at(1, 2));
        assert_eq!(l.find("/é€𝄞"), at(1, 3));
        assert_eq!(l.find("/é€𝄞/k"), at(1, 11));
        assert_eq!(
            from_serde("ab\n\"é\": x", 2, 6),
            Position { line: 2, column: 5 }
        );
        assert_eq!(from_serde("", 9, 0), Position { line: 9, column: 1 });
    }

    #[test]
    fn broken_text_keeps_what_was_seen_and_never_panics() {
        let l = Locator::new("{\n  \"a\": 1,\n  \"b\": [1, 2,");
        assert_eq!(l.find("/a"), at(2, 3));
        assert_eq!(l.find("/b/1"), at(3, 12));
        for text in [
            "",
            "{",
            "[",
            "\"",
            "{\"a\"",
            "{\"a\":",
            "{,}",
            "[,]",
            "}",
            "{\"a\" 1}",
            "{\"\\",
            "\"\\",
            "[1 2]",
            "{\"a\":1}}",
            "nul",
            "{\"\\ud800\": 1}",
        ] {
            let _ = Locator::new(text).nearest("/a/0");
        }
        // Deep nesting takes no stack, and the scan stops at MAX_DEPTH.
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        let l = Locator::new(&deep);
        assert_eq!(l.find("/0/0/0"), at(1, 4));
        assert_eq!(l.find(&"/0".repeat(MAX_DEPTH + 1)), None);
    }
}
