//! `draft --batch-out FILE.jsonl`: one OpenAI Batch API request line per cache miss,
//! instead of sending it. `custom_id` is the cache key and `body` is exactly the body
//! that would have been sent, so `willai batch import` can check each result against it.
//! Files are split at 50,000 lines or 190 MB (the Batch API's limits are 50,000 and
//! 200 MB): `FILE.jsonl`, `FILE-2.jsonl`, ... Each file appears whole (temp + rename).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

use crate::llm::Body;

pub const MAX_LINES: usize = 50_000;
pub const MAX_BYTES: usize = 190 * 1024 * 1024;

pub struct BatchWriter {
    base: PathBuf,
    max_lines: usize,
    current: Option<(BufWriter<NamedTempFile>, usize, usize)>,
    pub files: Vec<PathBuf>,
    pub lines: usize,
}

impl BatchWriter {
    pub fn new(base: &Path, max_lines: usize) -> BatchWriter {
        BatchWriter {
            base: base.to_path_buf(),
            max_lines: max_lines.max(1),
            current: None,
            files: Vec::new(),
            lines: 0,
        }
    }

    /// The name of part `n` (1-based): the given name, then `-2`, `-3`, ... before the extension.
    pub fn part_path(base: &Path, n: usize) -> PathBuf {
        if n == 1 {
            return base.to_path_buf();
        }
        let stem = base.file_stem().and_then(|s| s.to_str()).unwrap_or("batch");
        let name = match base.extension().and_then(|e| e.to_str()) {
            Some(ext) => format!("{stem}-{n}.{ext}"),
            None => format!("{stem}-{n}"),
        };
        base.with_file_name(name)
    }

    /// The request line of a body.
    pub fn line(body: &Body) -> String {
        format!(
            "{{\"custom_id\":\"{}\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}}\n",
            body.key,
            String::from_utf8_lossy(&body.bytes)
        )
    }

    pub fn write(&mut self, body: &Body) -> anyhow::Result<()> {
        let line = Self::line(body);
        let full = self.current.as_ref().is_some_and(|(_, lines, bytes)| {
            *lines >= self.max_lines || bytes + line.len() > MAX_BYTES
        });
        if full {
            self.close()?;
        }
        if self.current.is_none() {
            let path = Self::part_path(&self.base, self.files.len() + 1);
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let tmp = tempfile::Builder::new()
                .prefix(".willai-tmp-")
                .tempfile_in(dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            self.files.push(path);
            self.current = Some((BufWriter::new(tmp), 0, 0));
        }
        let (w, lines, bytes) = self.current.as_mut().expect("opened above");
        w.write_all(line.as_bytes())?;
        *lines += 1;
        *bytes += line.len();
        self.lines += 1;
        Ok(())
    }

    fn close(&mut self) -> anyhow::Result<()> {
        if let Some((w, _, _)) = self.current.take() {
            let path = self.files.last().expect("a file per writer").clone();
            let tmp = w.into_inner().map_err(|e| e.into_error())?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }

    /// Closes the last file.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_split_at_the_line_limit_and_appear_whole() {
        use crate::config::{CommandLine, Endpoint, FileConfig, Settings, StructuredOutput};
        use crate::prompt::{Message, Prompt};
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("req.jsonl");
        let file = FileConfig {
            model: Some("m".into()),
            ..FileConfig::default()
        };
        let endpoint =
            Endpoint::new(&Settings::resolve(&file, CommandLine::default()).unwrap()).unwrap();
        let mut w = BatchWriter::new(&base, 2);
        for i in 0..5 {
            let prompt = Prompt {
                messages: vec![Message {
                    role: "user",
                    content: format!("task {i}"),
                }],
                ask: crate::reply::Ask::Task,
                template: "task.j2@x".into(),
                instructions: Default::default(),
            };
            w.write(&crate::llm::build_body(
                &endpoint,
                &prompt,
                crate::llm::Variant::plain(StructuredOutput::JsonSchema),
                &[],
            ))
            .unwrap();
        }
        w.finish().unwrap();
        assert_eq!(
            w.files,
            vec![
                base.clone(),
                dir.path().join("req-2.jsonl"),
                dir.path().join("req-3.jsonl")
            ]
        );
        let counts: Vec<usize> = w
            .files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
            .collect();
        assert_eq!(counts, vec![2, 2, 1]);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".willai-tmp-")),
            "no temp file left: {names:?}"
        );
    }

    #[test]
    fn parts_are_numbered_after_the_first() {
        let base = Path::new("out/requests.jsonl");
        assert_eq!(
            BatchWriter::part_path(base, 1),
            PathBuf::from("out/requests.jsonl")
        );
        assert_eq!(
            BatchWriter::part_path(base, 3),
            PathBuf::from("out/requests-3.jsonl")
        );
    }
}
