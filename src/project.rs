//! A project opened for a command: its root, its settings (resolved once, by the rule in
//! `config`), its record store, and loaders for the catalog and prompts whose problems
//! are typed errors that say what to do.

use std::path::Path;

use anyhow::Context;

use crate::cache::Cache;
use crate::catalog::{Catalog, CatalogError, Occupation};
use crate::config::{CommandLine, ConfigError, FileConfig, Settings};
use crate::fsx::RootLock;
use crate::prompt::{PromptError, Prompts};
use crate::root::{Root, RootError};
use crate::store::Store;

pub struct Project {
    pub root: Root,
    pub file: FileConfig,
    pub settings: Settings,
    pub store: Store,
}

impl Project {
    pub fn open(root: Option<&Path>, given: CommandLine) -> anyhow::Result<Project> {
        let root = Root::discover(root).context("cannot find the current directory")?;
        if !root.dir().is_dir() {
            return Err(RootError::NotADirectory {
                root: root.dir().display().to_string(),
            }
            .into());
        }
        let file = FileConfig::load(&root)?;
        let settings = Settings::resolve(&file, given)?;
        Ok(Project {
            store: Store::new(root.clone()),
            root,
            file,
            settings,
        })
    }

    /// The catalog; any problem in it, or an empty one, is a usage error.
    pub fn catalog(&self) -> anyhow::Result<Catalog> {
        let (catalog, problems) = self.store.catalog()?;
        if !problems.is_empty() {
            return Err(CatalogError::Problems(problems).into());
        }
        if catalog.occupations.is_empty() {
            return Err(CatalogError::Empty {
                dir: self.root.display(&self.root.catalog_dir()),
            }
            .into());
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
    ) -> Result<Vec<&'c Occupation>, CatalogError> {
        if all {
            return Ok(catalog.occupations.iter().collect());
        }
        let mut out: Vec<&Occupation> = Vec::new();
        for name in names {
            let occ = catalog.find(name)?;
            if !out.iter().any(|o| o.slug == occ.slug) {
                out.push(occ);
            }
        }
        Ok(out)
    }

    pub fn prompts(&self) -> Result<Prompts, PromptError> {
        Prompts::load(&self.root, &self.root.prompts_dir(), "prompts")
    }

    pub fn cache(&self) -> Cache {
        Cache::new(&self.root)
    }

    /// The model drafts are compared with to tell stale ones (or made with).
    pub fn model(&self) -> Option<&str> {
        self.settings.model()
    }

    /// What drafts are compared with to tell stale ones: the model setting (and where it
    /// comes from) and the templates' fingerprints.
    pub fn current<'a>(&'a self, prompts: &'a Prompts) -> crate::lifecycle::Current<'a> {
        crate::lifecycle::Current::new(self.model(), prompts)
            .with_origin(self.settings.model.as_ref().map(|m| &m.origin))
    }

    /// Takes the root's write lock (waits, with a message, while another writer runs).
    pub fn lock(&self, command: &str) -> anyhow::Result<RootLock> {
        RootLock::acquire(&self.root, command)
    }

    /// The endpoint settings of a drafting command, checked.
    /// The key's consent is looked up here (see `config::consent`): an endpoint that
    /// willai.toml chose holds the key back unless the user ran `willai trust`.
    pub fn endpoint(&self) -> Result<crate::config::Endpoint, ConfigError> {
        crate::config::Endpoint::new(&self.settings)?.with_consent_of(self.root.dir())
    }
}
