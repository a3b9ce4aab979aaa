//! `fake-openai`: the fake server as a stand-alone process.
//!
//! Benchmarks and manual runs point willai at a separate process so that the
//! client and server do not share a runtime. The binary prints its base URL as
//! the single line of stdout, so a parent can read where to connect, then
//! serves until it is killed or, when stdin is a pipe, until stdin is closed:
//! a parent that dies closes the pipe and takes the server with it.
//!
//! Unlike the library default, the binary does not record request bodies
//! (long benchmark runs would only grow memory); `--record` turns it on.
//!
//! `--logprobs` and `--n` play servers without those parameters: `yes` (the
//! default) honours them, `ignore` accepts and drops them, `refuse:STATUS`
//! answers requests using them with that status. `--models a,b` makes
//! `GET /v1/models` list those models (without it there is no list).

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use fake_openai::{FakeServer, Options, Support};

const USAGE: &str = "usage: fake-openai [--port P] [--delay-ms N] [--reject-json-schema STATUS] [--record | --no-record]\n       [--logprobs yes|ignore|refuse:STATUS] [--n yes|ignore|refuse:STATUS] [--models ID,ID...]";

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("fake-openai: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match FakeServer::try_start_with(options) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("fake-openai: cannot start the server: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", server.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    wait_for_parent();
    drop(server);
    ExitCode::SUCCESS
}

/// `Ok(None)` asks for the usage text.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        record_bodies: false,
        ..Options::default()
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => options.port = number(&flag, &value()?)?,
            "--delay-ms" => options.delay = Duration::from_millis(number(&flag, &value()?)?),
            "--reject-json-schema" => {
                options.reject_json_schema = Some(number(&flag, &value()?)?);
            }
            "--logprobs" => options.logprobs = support(&flag, &value()?)?,
            "--n" => options.n = support(&flag, &value()?)?,
            "--models" => {
                options.models = Some(value()?.split(',').map(str::to_owned).collect());
            }
            "--record" => options.record_bodies = true,
            "--no-record" => options.record_bodies = false,
            "-h" | "--help" => return Ok(None),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(Some(options))
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// `yes`, `ignore` or `refuse:STATUS`.
fn support(flag: &str, value: &str) -> Result<Support, String> {
    match value {
        "yes" => Ok(Support::Yes),
        "ignore" => Ok(Support::Ignore),
        _ => match value.strip_prefix("refuse:") {
            Some(status) => Ok(Support::Refuse(number(flag, status)?)),
            None => Err(format!(
                "{flag}: {value:?} is not yes, ignore or refuse:STATUS"
            )),
        },
    }
}

/// Blocks until stdin reaches end of file when stdin is a pipe or socket
/// (the parent's end closes when the parent exits); otherwise (a terminal,
/// `/dev/null`, a file) blocks until the process is killed.
fn wait_for_parent() {
    if stdin_follows_parent() {
        let mut buffer = [0u8; 4096];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut buffer), Ok(n) if n > 0) {}
    } else {
        loop {
            std::thread::park();
        }
    }
}

#[cfg(unix)]
fn stdin_follows_parent() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;

    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd).metadata().is_ok_and(|meta| {
        let kind = meta.file_type();
        kind.is_fifo() || kind.is_socket()
    })
}

#[cfg(not(unix))]
fn stdin_follows_parent() -> bool {
    !std::io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn parses_every_flag() {
        let options = parse(&[
            "--port",
            "8080",
            "--delay-ms=50",
            "--reject-json-schema",
            "422",
            "--logprobs",
            "refuse:400",
            "--n=ignore",
        ])
        .expect("valid")
        .expect("options");
        assert_eq!(options.port, 8080);
        assert_eq!(options.delay, Duration::from_millis(50));
        assert_eq!(options.reject_json_schema, Some(422));
        assert_eq!(options.logprobs, Support::Refuse(400));
        assert_eq!(options.n, Support::Ignore);
        assert!(!options.record_bodies);
        let defaults = parse(&["--n", "yes"]).expect("valid").expect("options");
        assert_eq!(
            (defaults.logprobs, defaults.n),
            (Support::Yes, Support::Yes)
        );
        let recorded = parse(&["--record"]).expect("valid").expect("options");
        assert!(recorded.record_bodies);
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "http"]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        assert!(parse(&["--logprobs", "no"]).is_err());
        assert!(parse(&["--n", "refuse:"]).is_err());
        assert!(parse(&["--n", "refuse:abc"]).is_err());
        assert!(matches!(parse(&["--help"]), Ok(None)));
    }
}
