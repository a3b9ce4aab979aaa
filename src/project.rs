//! A project opened for a command: its root, its `willai.toml`, and loaders for the
//! catalog, prompts, cache and records that turn their problems into messages that say
//! what to do.

use std::path::Path;

use anyhow::Context;

use crate::cache::Cache;
use crate::catalog::{Catalog, Occupation};
use crate::config::FileConfig;
use crate::exit::usage;
use crate::fsx::RootLock;
use crate::prompt::Prompts;
use crate::record::Record;
use crate::root::Root;

pub struct Project {
    pub root: Root,
    pub config: FileConfig,
}

impl Project {
    pub fn open(root: Option<&Path>) -> anyhow::Result<Project> {
        let root = Root::discover(root).context("cannot find the current directory")?;
        if let Some(explicit) = Some(root.dir()).filter(|d| !d.is_dir()) {
            return Err(usage(format!(
                "the project root {} is not a directory: check --root or WILLAI_ROOT",
                explicit.display()
            )));
        }
        let config = FileConfig::load(&root)?;
        Ok(Project { root, config })
    }

    /// The catalog; any problem in it is a usage error listing the problems.
    pub fn catalog(&self) -> anyhow::Result<Catalog> {
        let (catalog, problems) = Catalog::load(&self.root)?;
        if !problems.is_empty() {
            let shown: Vec<String> = problems.iter().take(20).map(|p| format!("  {p}")).collect();
            let more = if problems.len() > 20 {
                format!("\n  ... and {} more", problems.len() - 20)
            } else {
                String::new()
            };
            return Err(usage(format!(
                "the catalog has {} problem(s); fix them (`willai validate` lists them all):\n{}{more}",
                problems.len(),
                shown.join("\n")
            )));
        }
        if catalog.occupations.is_empty() {
            return Err(usage(format!(
                "the catalog in {}/ is empty: add an occupation file or run `willai import onet FILE`",
                self.root.display(&self.root.catalog_dir())
            )));
        }
        Ok(catalog)
    }

    /// The professions a command names, or all of them; unknown names are a usage error
    /// that suggests the nearest.
    pub fn select<'c>(
        &self,
        catalog: &'c Catalog,
        names: &[String],
        all: bool,
    ) -> anyhow::Result<Vec<&'c Occupation>> {
        if all {
            return Ok(catalog.occupations.iter().collect());
        }
        let mut out: Vec<&Occupation> = Vec::new();
        for name in names {
            let occ = catalog.find(name).map_err(usage)?;
            if !out.iter().any(|o| o.slug == occ.slug) {
                out.push(occ);
            }
        }
        Ok(out)
    }

    /// The model drafts are compared with (flag or `WILLAI_MODEL`, else willai.toml);
    /// `None` when neither names one, and then no draft is stale by its model.
    pub fn model(&self, flag: Option<&str>) -> Option<String> {
        flag.map(str::trim)
            .filter(|m| !m.is_empty())
            .map(String::from)
            .or_else(|| self.config.model.clone())
    }

    pub fn prompts(&self) -> anyhow::Result<Prompts> {
        Prompts::load(&self.root.prompts_dir(), "prompts").map_err(|e| usage(e.0))
    }

    pub fn cache(&self) -> Cache {
        Cache::new(self.root.cache_dir())
    }

    /// Takes the root's write lock (waits, with a message, while another writer runs).
    pub fn lock(&self, command: &str) -> anyhow::Result<RootLock> {
        RootLock::acquire(&self.root.lock_file(), command)
    }

    /// Reads a profession's record; a broken file is an error naming the file, line and
    /// column (the file is left as it is).
    pub fn read_record(&self, slug: &str) -> anyhow::Result<Option<Record>> {
        let path = self.root.record_path(slug);
        Record::read(&path).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}: {}: fix the file (`willai validate` shows every problem); it was left untouched",
                self.root.display(&path),
                e.location,
                e.message
            )
        })
    }

    /// Writes a record canonically and atomically; true when the bytes changed.
    pub fn write_record(&self, record: &Record) -> anyhow::Result<bool> {
        let path = self.root.record_path(&record.profession);
        crate::fsx::write_if_changed(&path, record.to_canonical().as_bytes())
            .with_context(|| format!("cannot write {}", self.root.display(&path)))
    }
}
