//! The whole command line, as clap derive types; doc comments are the help text.
//! Environment variables are declared here, on the arguments they feed, and nowhere else.

use clap_complete::engine::ArgValueCompleter;
use std::collections::HashMap;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{CommandLine, ConfidenceMode, Input, Origin, StructuredOutput};
use crate::review::queue::{Order, QueueFilter};
use crate::root::RootError;

/// Draft, review and publish "Will AI replace me?" analyses: for each task of an
/// occupation, how exposed it is to AI (HIGH, MEDIUM, LOW) and why.
#[derive(Debug, Parser)]
#[command(name = "willai", version = env!("WILLAI_VERSION"), max_term_width = 100)]
pub struct Cli {
    /// The project root (holds willai.toml, prompts/, data/, cache/). Default: the
    /// nearest directory upwards holding willai.toml.
    #[arg(
        long,
        global = true,
        env = "WILLAI_ROOT",
        hide_env_values = true,
        value_name = "DIR",
        value_parser = clap::value_parser!(std::ffi::OsString)
    )]
    pub root: Option<std::ffi::OsString>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Draft what is missing or stale through an OpenAI-compatible endpoint (cached).
    Draft(DraftArgs),
    /// Counts per state (missing, draft, edited, approved, rejected, stale), per
    /// profession.
    Status(StatusArgs),
    /// Approve tasks or skills of a profession (records reviewer, date and content hash).
    Approve(ApproveArgs),
    /// Drop the machine's proposals beside edited or approved text, or reject its
    /// untouched drafts (not drafted again until their prompt changes).
    Reject(RejectArgs),
    /// Review drafts and proposals one at a time in the terminal, lowest confidence first:
    /// a approve, r drop proposal or reject draft, e edit, 1/2/3 level, s skip, u undo,
    /// q quit. With --audit, judge an audit's sample blind.
    Review(ReviewArgs),
    /// What changed in the records between a git revision (default HEAD) and the working
    /// tree, in words: levels, word diffs of texts, tools, approvals, proposals.
    Diff(DiffArgs),
    /// Print a record file as readable text, for git's textconv (see README: `git diff`
    /// of records as prose).
    Textconv(TextconvArgs),
    /// Check every catalog and record file (the CI gate); exit 1 on any problem.
    Validate(ValidateArgs),
    /// Rewrite catalog, record and audit files in canonical formatting.
    Fmt(FmtArgs),
    /// Write the JSON Schemas of catalog, record and audit files to data/schema/.
    Schema(SchemaArgs),
    /// Build the static site and its JSON API from approved content only.
    Publish(PublishArgs),
    /// Build the site and serve it on 127.0.0.1, rebuilding and reloading the open page
    /// on every change; `--drafts` shows unapproved text too, marked.
    Serve(ServeArgs),
    /// Import occupations and tasks into the catalog.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Agreement between two sets of exposure labels.
    Eval(EvalArgs),
    /// Measure how often an editor disagrees with the levels, and the shares corrected
    /// for it: draw a random sample, judge it blind (`willai review --audit NAME`),
    /// report.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Inspect and tidy the response cache.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Load a provider's batch results into the cache.
    #[command(subcommand)]
    Batch(BatchCommand),
    /// Show the settings in effect and where each comes from (flag, environment,
    /// willai.toml or default).
    Config(ConfigArgs),
    /// Let this project's willai.toml send OPENAI_API_KEY to the endpoint its base_url
    /// names (a repository cannot choose where your key goes without it). The consent is
    /// kept outside the repository, per project and endpoint; --list, --revoke.
    Trust(TrustArgs),
    /// Start a new content repository: willai.toml, prompts, an example occupation,
    /// schemas, CI workflow, pre-commit and git configuration.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell) of the commands and
    /// flags; `source <(COMPLETE=bash willai)` completes `-p` with the project's
    /// professions too.
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `willai man > willai.1`; with --out, write one
    /// page per subcommand too (willai-draft.1, ...).
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to create (or an empty one); default: the current directory.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The publication's name, shown on the site's masthead [default: the directory's
    /// name].
    #[arg(long)]
    pub name: Option<String>,
    /// The CI configuration to write: a GitHub Actions workflow, a GitLab CI file, or
    /// none.
    #[arg(long, value_enum, default_value_t = crate::init::Ci::Github, value_name = "SYSTEM")]
    pub ci: crate::init::Ci,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write willai.1 and a page for every subcommand (willai-draft.1, ...) into DIR
    /// instead of printing willai.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

impl Command {
    /// What the command line gives the settings resolver. Every command is named here,
    /// with no catch-all, so a new command does not compile until it says which of its
    /// flags are settings (the test `every_setting_flag_reaches_the_settings` checks
    /// that each such flag arrives).
    pub fn given(&self, sources: &Sources) -> CommandLine {
        let model_only = |model: &ModelArg| CommandLine {
            model: model.given(sources),
            ..CommandLine::default()
        };
        let reviewer = |model: &ModelArg, reviewer: &Option<String>| CommandLine {
            model: model.given(sources),
            reviewer: sources.input("reviewer", reviewer.clone()),
            ..CommandLine::default()
        };
        match self {
            Command::Draft(a) => a.endpoint.given(sources),
            Command::Config(a) => a.endpoint.given(sources),
            Command::Status(a) => model_only(&a.model),
            Command::Approve(a) => reviewer(&a.model, &a.reviewer),
            Command::Review(a) => reviewer(&a.model, &a.reviewer),
            Command::Cache(CacheCommand::Gc(a)) => model_only(&a.model),
            Command::Publish(a) => a.site.given(sources),
            Command::Serve(a) => a.site.given(sources),
            // No flag of these is a setting.
            Command::Reject(_)
            | Command::Diff(_)
            | Command::Textconv(_)
            | Command::Validate(_)
            | Command::Fmt(_)
            | Command::Schema(_)
            | Command::Import(ImportCommand::Onet(_))
            | Command::Eval(_)
            | Command::Audit(_)
            | Command::Cache(
                CacheCommand::Stats | CacheCommand::Verify | CacheCommand::Compact(_),
            )
            | Command::Trust(_)
            | Command::Batch(BatchCommand::Import(_))
            | Command::Init(_)
            | Command::Completions(_)
            | Command::Man(_) => CommandLine::default(),
        }
    }
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// List every consent given, for every project.
    #[arg(long)]
    pub list: bool,
    /// Take back this project's consents.
    #[arg(long, conflicts_with = "list")]
    pub revoke: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Stable JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// Which professions a command works on.
#[derive(Debug, Args, Clone)]
#[group(required = true, multiple = false)]
pub struct Selection {
    /// A profession by name, alias or slug (case-insensitive); repeat for several.
    #[arg(long = "profession", short = 'p', value_name = "NAME", add = ArgValueCompleter::new(crate::complete::professions))]
    pub professions: Vec<String>,
    /// Every profession in the catalog.
    #[arg(long)]
    pub all: bool,
}

/// Where and how to reach the model. Flags override the environment, which overrides
/// willai.toml.
#[derive(Debug, Args, Clone, Default)]
pub struct EndpointArgs {
    #[command(flatten)]
    pub model: ModelArg,
    /// The OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1
    /// [default: https://api.openai.com/v1]
    #[arg(
        long,
        env = "OPENAI_BASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub base_url: Option<String>,
    /// Requests in flight at once [willai.toml: concurrency; default 8].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests per minute budget [willai.toml: requests_per_minute].
    #[arg(long, value_name = "N")]
    pub rpm: Option<u32>,
    /// Tokens per minute budget [willai.toml: tokens_per_minute].
    #[arg(long, value_name = "N")]
    pub tpm: Option<u64>,
    /// Seconds before a request times out [willai.toml: timeout_secs; default 120].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Retries after 408/409/429/5xx, timeouts and dropped connections [default 5].
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// How to ask for structured output; a server that refuses json_schema (400/422)
    /// is retried in json_object, then none [willai.toml: structured_output].
    #[arg(long, value_name = "MODE")]
    pub structured_output: Option<StructuredOutput>,
    /// How to record how sure the model was of each level: logprobs (token
    /// log-probabilities, where the server gives them) or none [willai.toml: confidence].
    #[arg(long, value_name = "HOW")]
    pub confidence: Option<ConfidenceMode>,
    /// Ask for N answers per task (the `n` parameter, or N requests where it is refused)
    /// and record the majority level with its share [willai.toml: samples; default 1].
    #[arg(long, value_name = "N")]
    pub samples: Option<u32>,
}

impl EndpointArgs {
    /// What these flags (and their environment variables) give.
    pub fn given(&self, sources: &Sources) -> CommandLine {
        CommandLine {
            model: self.model.given(sources),
            base_url: sources.input("base_url", self.base_url.clone()),
            api_key: api_key(),
            concurrency: sources.input("concurrency", self.concurrency),
            rpm: sources.input("rpm", self.rpm),
            tpm: sources.input("tpm", self.tpm),
            timeout: sources.input("timeout", self.timeout),
            retries: sources.input("retries", self.retries),
            structured_output: sources.input("structured_output", self.structured_output),
            confidence: sources.input("confidence", self.confidence),
            samples: sources.input("samples", self.samples),
            ..CommandLine::default()
        }
    }
}

/// The model, for drafting or to tell stale drafts by.
#[derive(Debug, Args, Clone, Default)]
pub struct ModelArg {
    /// The model drafts are made with (and compared with, to tell stale ones)
    /// [willai.toml: model].
    #[arg(long, env = "WILLAI_MODEL", hide_env_values = true)]
    pub model: Option<String>,
}

impl ModelArg {
    pub fn given(&self, sources: &Sources) -> Input<String> {
        sources.input("model", self.model.clone())
    }
}

/// The API key: from the environment only, never a flag, so it stays out of shell
/// history and process lists.
pub fn api_key() -> Input<String> {
    Input {
        value: std::env::var("OPENAI_API_KEY").ok(),
        origin: Origin::Env("OPENAI_API_KEY".into()),
    }
}

/// Where each argument of the command that runs got its value: a flag or an
/// environment variable (for the settings resolver and `willai config`).
#[derive(Debug, Default)]
pub struct Sources(HashMap<String, Origin>);

impl Sources {
    fn of(mut command: &clap::Command, mut matches: &ArgMatches) -> Sources {
        let mut map = HashMap::new();
        loop {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                let origin = match matches.try_get_raw(id) {
                    Ok(Some(_)) => match matches.value_source(id) {
                        Some(ValueSource::CommandLine) => {
                            Origin::Flag(arg.get_long().unwrap_or(id).to_string())
                        }
                        Some(ValueSource::EnvVariable) => Origin::Env(
                            arg.get_env()
                                .map(|e| e.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                        ),
                        _ => continue,
                    },
                    _ => continue,
                };
                map.insert(id.to_string(), origin);
            }
            match matches.subcommand() {
                Some((name, sub)) => match command.find_subcommand(name) {
                    Some(c) => {
                        command = c;
                        matches = sub;
                    }
                    None => break,
                },
                None => break,
            }
        }
        Sources(map)
    }

    /// A value of the argument `id` with where it came from.
    pub fn input<T>(&self, id: &str, value: Option<T>) -> Input<T> {
        let origin = self.0.get(id).cloned().unwrap_or(Origin::Default);
        Input { value, origin }
    }
}

impl Cli {
    /// The root asked for. A blank `WILLAI_ROOT` counts as not set, like every blank
    /// variable; a blank `--root` is a mistake.
    pub fn root(&self, sources: &Sources) -> Result<Option<PathBuf>, RootError> {
        let Some(raw) = &self.root else {
            return Ok(None);
        };
        if !raw.to_string_lossy().trim().is_empty() {
            return Ok(Some(PathBuf::from(raw)));
        }
        match sources.0.get("root") {
            Some(Origin::Flag(_)) => Err(RootError::BlankRoot),
            _ => Ok(None),
        }
    }

    /// Parses the command line (exiting with clap's message on a usage error) and notes
    /// where each value came from.
    pub fn parse_with_sources() -> (Cli, Sources) {
        let command = Cli::command();
        let matches = command.clone().get_matches();
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let sources = Sources::of(&command, &matches);
        (cli, sources)
    }
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Draft from the cache only; send nothing.
    #[arg(long, conflicts_with = "dry_run")]
    pub offline: bool,
    /// Show each prompt's cache status and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: print the rendered prompts too.
    #[arg(long, requires = "dry_run")]
    pub show_prompts: bool,
    /// Draft again even what is current; approved or edited text gets a proposal.
    #[arg(long)]
    pub redraft: bool,
    /// Take from the cache only answers this endpoint's host gave; ask it for the rest
    /// (by default an answer another host gave is taken, and the summary says so).
    #[arg(long)]
    pub same_host: bool,
    /// Send even when the endpoint's model list does not name the model (a gateway whose
    /// list leaves out names it serves, an Azure OpenAI deployment).
    #[arg(long)]
    pub no_model_check: bool,
    /// Write OpenAI Batch API request lines for every cache miss to FILE (split into
    /// FILE-0001.jsonl ... past 50,000 lines) instead of sending them.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["offline", "dry_run"])]
    pub batch_out: Option<PathBuf>,
    /// Plain progress lines even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One profession (name, alias or slug); default: all.
    #[arg(long, short = 'p', value_name = "NAME", add = ArgValueCompleter::new(crate::complete::professions))]
    pub profession: Option<String>,
    /// Stable JSON for scripts.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The profession (name, alias or slug).
    #[arg(long, short = 'p', value_name = "NAME", add = ArgValueCompleter::new(crate::complete::professions))]
    pub profession: String,
    /// A task by id, slug or text; repeat for several.
    #[arg(long = "task", short = 't', value_name = "TASK")]
    pub tasks: Vec<String>,
    /// A skill by id or name; repeat for several.
    #[arg(long = "skill", short = 's', value_name = "SKILL")]
    pub skills: Vec<String>,
    /// Every task and skill of the profession that has content.
    #[arg(long, conflicts_with_all = ["tasks", "skills"])]
    pub all: bool,
    /// Who approves; default: `git config user.name`.
    #[arg(
        long,
        env = "WILLAI_REVIEWER",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub reviewer: Option<String>,
    /// Take the machine's proposal as the new text, then approve it.
    #[arg(long)]
    pub accept_proposal: bool,
    /// Approve stale or failed items too.
    #[arg(long)]
    pub force: bool,
    /// The approval date (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The profession (name, alias or slug).
    #[arg(long, short = 'p', value_name = "NAME", add = ArgValueCompleter::new(crate::complete::professions))]
    pub profession: String,
    /// A task by id, slug or text (its proposal is dropped, or else its untouched draft
    /// rejected); repeat for several.
    #[arg(long = "task", short = 't', value_name = "TASK")]
    pub tasks: Vec<String>,
    /// A skill by id or name (its proposal dropped, or else its draft rejected, a
    /// proposed skill included); repeat for several.
    #[arg(long = "skill", short = 's', value_name = "SKILL")]
    pub skills: Vec<String>,
    /// Every proposal of the profession (drafts are rejected by name only).
    #[arg(long, conflicts_with_all = ["tasks", "skills"])]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Judge the sample of the audit data/audits/NAME.json instead: each task without its
    /// drafted level, which shows once you have chosen yours (then the record can be
    /// corrected).
    #[arg(long, value_name = "NAME", group = "Selection", conflicts_with_all = ["only", "order"])]
    pub audit: Option<String>,
    /// The order of the queue: the model's least certain levels first (items without a
    /// confidence last), or profession by profession.
    #[arg(long, value_enum, default_value_t = Order::Confidence)]
    pub order: Order,
    /// Only these items [default: drafts awaiting approval and proposals].
    #[arg(long, value_enum, value_name = "WHAT")]
    pub only: Option<QueueFilter>,
    /// Who approves; default: `git config user.name`.
    #[arg(
        long,
        env = "WILLAI_REVIEWER",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub reviewer: Option<String>,
    /// The approval date (YYYY-MM-DD); default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Let `a` approve stale items as they are.
    #[arg(long)]
    pub force: bool,
    /// The command `e` opens the item's text with (run by sh with the file's path).
    #[arg(
        long,
        env = "EDITOR",
        hide_env_values = true,
        default_value = "vi",
        value_name = "COMMAND"
    )]
    pub editor: String,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The git revision to compare the working tree's records with.
    #[arg(default_value = "HEAD", value_name = "REV")]
    pub rev: String,
    /// Markdown, for a pull request's job summary or comment: the counts first, then
    /// as much as fits in --max-bytes (level changes first when not all fits).
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// The most bytes --markdown prints [default: 60000, under a comment's 65,536
    /// characters; a job summary holds 1 MiB]; at least 2000.
    #[arg(long, value_name = "BYTES", requires = "markdown", value_parser = clap::value_parser!(u64).range(2000..))]
    pub max_bytes: Option<u64>,
    /// Stable JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TextconvArgs {
    /// The record file (git passes a temporary copy; the project root is not needed).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Machine-readable problems, one JSON object per line (as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// How problems are printed: `text` (`path:json-pointer: message`), `json` (one
    /// object per line, with the line and column), `github` (a workflow command per
    /// problem: an annotation at the line of the key it names, on the pull request's
    /// diff), `gitlab` (a Code Quality report, JSON, for a merge request).
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text, value_name = "FORMAT")]
    pub format: ValidateFormat,
}

/// How `willai validate` prints its problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
    Github,
    Gitlab,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Only report files that are not canonical (exit 1), like `cargo fmt --check`.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Only report whether data/schema/ is up to date (exit 1 when not).
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The output directory (created; files of an earlier publish that are no longer
    /// produced are removed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub site: SiteArgs,
}

/// The masthead and links of a site, for `publish` and `serve`.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Base URL for canonical links and the sitemap [willai.toml: site.base_url].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Site name on the masthead [willai.toml: site.name].
    #[arg(long)]
    pub site_name: Option<String>,
    /// Edition volume, e.g. "I" [willai.toml: site.volume].
    #[arg(long)]
    pub volume: Option<String>,
    /// Edition number, e.g. "04" [willai.toml: site.number].
    #[arg(long)]
    pub number: Option<String>,
    /// Edition date, YYYY-MM-DD [willai.toml: site.date].
    #[arg(long)]
    pub date: Option<String>,
}

impl SiteArgs {
    pub fn given(&self, sources: &Sources) -> CommandLine {
        CommandLine {
            site_name: sources.input("site_name", self.site_name.clone()),
            site_base_url: sources.input("base_url", self.base_url.clone()),
            volume: sources.input("volume", self.volume.clone()),
            number: sources.input("number", self.number.clone()),
            date: sources.input("date", self.date.clone()),
            ..CommandLine::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Also show drafts, edited text and proposals, each marked "not yet reviewed"
    /// (`publish` never shows them).
    #[arg(long)]
    pub drafts: bool,
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// O*NET task statements (tab-separated; columns found by header name).
    Onet(OnetArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BadRows {
    /// Report bad rows and import the rest.
    Skip,
    /// Report bad rows and import nothing.
    Refuse,
}

#[derive(Debug, Args)]
pub struct OnetArgs {
    /// The task statements file (the GPTs-are-GPTs TSV or O*NET's Task Statements.txt).
    #[arg(required_unless_present = "alternate_titles")]
    pub file: Option<PathBuf>,
    /// O*NET's Alternate Titles file (tab-separated: O*NET-SOC Code, Title, Alternate
    /// Title, Short Title, Source(s)): each title becomes an alias of its occupation,
    /// unless it could find another profession.
    #[arg(long, value_name = "FILE")]
    pub alternate_titles: Option<PathBuf>,
    /// Import only this occupation (title or O*NET-SOC code); repeat for several.
    #[arg(long = "occupation", value_name = "TITLE_OR_SOC")]
    pub occupations: Vec<String>,
    /// What to do with bad rows (missing columns, empty task, duplicate id).
    #[arg(long, value_enum, default_value_t = BadRows::Skip)]
    pub bad_rows: BadRows,
    /// Report what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold labels: a TSV or CSV file with a `Task ID` column (`.csv`: commas; `.tsv`:
    /// tabs; otherwise told from the header line).
    #[arg(long, value_name = "FILE", required_unless_present = "overrides")]
    pub gold: Option<PathBuf>,
    /// The gold label column.
    #[arg(long, value_name = "COL", default_value = "human_exposure_agg")]
    pub gold_column: String,
    /// Predicted labels from a file (may be the gold file) instead of the project's records.
    #[arg(long, value_name = "FILE", requires = "predicted_column")]
    pub predicted: Option<PathBuf>,
    /// The predicted label column (with --predicted).
    #[arg(long, value_name = "COL", requires = "predicted")]
    pub predicted_column: Option<String>,
    /// From records: compare the approved level instead of the machine's.
    #[arg(long, conflicts_with = "predicted")]
    pub approved: bool,
    /// How file labels map to levels: LABEL=LEVEL pairs, comma-separated.
    #[arg(long, value_name = "MAP", default_value = "E0=LOW,E1=HIGH,E2=MEDIUM")]
    pub map: String,
    /// JSON for scripts.
    #[arg(long)]
    pub json: bool,
    /// Per-occupation breakdown, most disagreement first.
    #[arg(long)]
    pub by_occupation: bool,
    /// How often editors changed the machine's level before approving.
    #[arg(long, conflicts_with_all = ["gold", "predicted", "approved", "by_occupation"])]
    pub overrides: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Draw a simple random sample of tasks (every task with a level: drafted, edited or
    /// approved) into data/audits/NAME.json, reproducible from the seed.
    Draw(AuditDrawArgs),
    /// How often the editor's level differs from the drafted one, and each level's share
    /// of all tasks corrected by prediction-powered inference (PPI++), with 95%
    /// intervals.
    Report(AuditReportArgs),
}

#[derive(Debug, Args)]
pub struct AuditDrawArgs {
    /// How many tasks to draw (400 gives shares to about ±4 points).
    #[arg(long, value_name = "N")]
    pub size: usize,
    /// Any text; the same seed and tasks give the same sample [default: random,
    /// recorded in the file].
    #[arg(long, value_name = "S")]
    pub seed: Option<String>,
    /// The audit's name: data/audits/NAME.json [default: the date of the draw].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The date of the draw (YYYY-MM-DD) [default: today].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditReportArgs {
    /// The audit (data/audits/NAME.json) [default: the one drawn last].
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Stable JSON for scripts (unrounded numbers, as ppi_py gives them).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Entries, bytes, by model.
    Stats,
    /// Re-hash every entry; report mismatches (exit 1 if any).
    Verify,
    /// Remove entries that no record and no current prompt refers to.
    Gc(GcArgs),
    /// Rewrite entries of the first format (the whole request and response, about 18 KB)
    /// in the compact one (about 1 KB), keeping every key; each is verified first.
    Compact(CompactArgs),
}

#[derive(Debug, Args)]
pub struct CompactArgs {
    /// Count what would be rewritten; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct GcArgs {
    /// List what would be removed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Read batch result files (OpenAI Batch API or vLLM run-batch) into the cache.
    Import(BatchImportArgs),
}

#[derive(Debug, Args)]
pub struct BatchImportArgs {
    /// Result files.
    #[arg(required = true, value_name = "RESULTS.jsonl")]
    pub results: Vec<PathBuf>,
    /// The request files written by `willai draft --batch-out` that the results answer.
    #[arg(long = "requests", required = true, value_name = "REQUESTS.jsonl", num_args = 1..)]
    pub requests: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command line that parses, for every subcommand.
    const COMMANDS: &[&[&str]] = &[
        &["draft", "--all"],
        &["status"],
        &["approve", "-p", "x", "--all"],
        &["reject", "-p", "x", "--all"],
        &["review", "--all"],
        &["diff"],
        &["textconv", "f"],
        &["validate"],
        &["fmt"],
        &["schema"],
        &["publish", "--out", "o"],
        &["serve"],
        &["import", "onet", "f"],
        &["eval", "--gold", "f"],
        &["audit", "draw", "--size", "1"],
        &["audit", "report"],
        &["cache", "stats"],
        &["cache", "verify"],
        &["cache", "gc"],
        &["cache", "compact"],
        &["batch", "import", "r", "--requests", "q"],
        &["config"],
        &["trust"],
        &["init"],
        &["completions", "bash"],
        &["man"],
    ];

    /// The flags that are settings (README, Configuration), by their long name.
    const SETTING_FLAGS: &[&str] = &[
        "model",
        "base-url",
        "concurrency",
        "rpm",
        "tpm",
        "timeout",
        "retries",
        "structured-output",
        "confidence",
        "samples",
        "reviewer",
        "site-name",
        "volume",
        "number",
        "date",
    ];

    /// Flags that share a setting's name but are not one.
    const NOT_SETTINGS: &[(&str, &str)] = &[
        ("approve", "date"), // the approval's date
        ("review", "date"),  // likewise
        ("draw", "date"),    // the day an audit's sample is drawn
    ];

    /// Every value the command line gave, shown, with its origin.
    fn given_values(g: &CommandLine) -> Vec<(String, Origin)> {
        fn shown<T: std::fmt::Display>(i: &Input<T>) -> Option<(String, Origin)> {
            i.value.as_ref().map(|v| (v.to_string(), i.origin.clone()))
        }
        [
            shown(&g.model),
            shown(&g.base_url),
            shown(&g.concurrency),
            shown(&g.rpm),
            shown(&g.tpm),
            shown(&g.timeout),
            shown(&g.retries),
            shown(&g.structured_output),
            shown(&g.confidence),
            shown(&g.samples),
            shown(&g.reviewer),
            shown(&g.site_name),
            shown(&g.site_base_url),
            shown(&g.volume),
            shown(&g.number),
            shown(&g.date),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn subcommand<'c>(root: &'c clap::Command, path: &[&str]) -> Option<&'c clap::Command> {
        let mut c = root;
        for name in path {
            match c.find_subcommand(name) {
                Some(sub) => c = sub,
                None => break,
            }
        }
        Some(c)
    }

    /// Each setting flag of each command reaches the settings, with the flag as its
    /// origin: a command whose `given` forgot its flags fails here.
    #[test]
    fn every_setting_flag_reaches_the_settings() {
        let root = Cli::command();
        let mut checked = 0;
        for base in COMMANDS {
            let c = subcommand(&root, base).unwrap();
            let name = c.get_name();
            for arg in c.get_arguments() {
                let Some(long) = arg.get_long() else { continue };
                if !SETTING_FLAGS.contains(&long) || NOT_SETTINGS.contains(&(name, long)) {
                    continue;
                }
                let value = arg
                    .get_possible_values()
                    .last()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_else(|| "7".into());
                let mut line = vec!["willai"];
                line.extend_from_slice(base);
                let flag = format!("--{long}");
                line.extend([flag.as_str(), value.as_str()]);
                let matches = root.clone().try_get_matches_from(&line).unwrap();
                let cli = Cli::from_arg_matches(&matches).unwrap();
                let sources = Sources::of(&root, &matches);
                let got = given_values(&cli.command.given(&sources));
                assert!(
                    got.contains(&(value.clone(), Origin::Flag(long.to_string()))),
                    "{line:?}: --{long} did not reach the settings: {got:?}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 25, "only {checked} flags were checked");
    }

    /// Every subcommand has a line in [`COMMANDS`], so the test above sees its flags.
    #[test]
    fn every_subcommand_is_checked() {
        fn leaves(c: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
            let subs: Vec<_> = c
                .get_subcommands()
                .filter(|s| s.get_name() != "help")
                .collect();
            if subs.is_empty() {
                out.push(path);
                return;
            }
            for s in subs {
                let mut p = path.clone();
                p.push(s.get_name().to_string());
                leaves(s, p, out);
            }
        }
        let mut all = Vec::new();
        leaves(&Cli::command(), Vec::new(), &mut all);
        for path in all {
            assert!(
                COMMANDS
                    .iter()
                    .any(|c| c.starts_with(&path.iter().map(String::as_str).collect::<Vec<_>>())),
                "willai {} has no line in COMMANDS",
                path.join(" ")
            );
        }
    }
}
