//! `willai review` through a real pseudo-terminal: keys in, the screen (parsed by a
//! terminal emulator, `vt100`) and the record files out, after every decision. The binary
//! runs as an editor runs it, in raw mode on a tty; nothing of the session is mocked.

use std::io::Write as _;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use fake_openai::FakeServer;
use willai::review::audit_tui::{BLIND_KEYS, FINISHED_KEYS, REVEALED_KEYS};

use crate::util::{Project, run_ok};
use crate::validate::valid_project;

const ROWS: u16 = 40;
const COLS: u16 = 120;

/// The review running in a pseudo-terminal, and what its screen shows.
pub(crate) struct Tui {
    session: OsSession,
    screen: vt100::Parser,
    /// Every byte the program wrote.
    raw: Vec<u8>,
}

impl Tui {
    pub(crate) fn spawn(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Tui {
        let mut cmd = p.process();
        cmd.env("TERM", "xterm-256color")
            .args(["review", "--reviewer", "Ann Editor", "--date", "2026-11-20"])
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut session = expectrl::Session::spawn(cmd).expect("spawn in a pty");
        session
            .get_process_mut()
            .set_window_size(COLS, ROWS)
            .unwrap();
        Tui {
            session,
            screen: vt100::Parser::new(ROWS, COLS, 0),
            raw: Vec::new(),
        }
    }

    /// Reads what the program wrote so far into the emulated screen.
    fn pump(&mut self) {
        let mut buf = [0u8; 16384];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    self.screen.process(&buf[..n]);
                    self.raw.extend_from_slice(&buf[..n]);
                }
            }
        }
    }

    pub(crate) fn contents(&self) -> String {
        self.screen.screen().contents()
    }

    /// Waits until the screen shows `text` in a whole frame (a generous deadline: a
    /// failure, not a speed check), and returns the screen. A frame reaches the terminal
    /// in pieces, top first: its header may be on screen while the lines below it are
    /// not yet, so a review frame counts only once its key line, drawn after the item,
    /// is there too.
    pub(crate) fn wait_for(&mut self, text: &str) -> String {
        let start = Instant::now();
        loop {
            self.pump();
            let screen = self.contents();
            let frame_whole = !screen.contains("willai review ") || self.shows_the_key_line();
            if screen.contains(text) && frame_whole {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the screen never showed {text:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether a key line is on screen (`review`'s, or one of `review --audit`'s):
    /// drawn after the item, it means every line above it is whole. (It is cut to the
    /// width the program saw, which may be the default 80 columns if it drew before the
    /// window was sized: so its start.)
    fn shows_the_key_line(&self) -> bool {
        let screen = self.contents();
        // `review`'s key line shows the keys of its screen: it starts with the first.
        let review = screen.lines().any(|line| {
            ["a approve  ", "e edit  ", "s skip  u undo  q quit"]
                .iter()
                .any(|start| line.starts_with(start))
        });
        review
            || [BLIND_KEYS, REVEALED_KEYS, FINISHED_KEYS]
                .iter()
                .any(|keys| {
                    let start: String = keys.chars().take(20).collect();
                    screen
                        .lines()
                        .any(|line| line.starts_with(&start) && keys.starts_with(line.trim_end()))
                })
    }

    pub(crate) fn key(&mut self, keys: &str) {
        self.session.write_all(keys.as_bytes()).unwrap();
        self.session.flush().unwrap();
    }

    /// Waits for the program to end; its exit code.
    pub(crate) fn exit_code(&mut self) -> i32 {
        let start = Instant::now();
        loop {
            self.pump();
            match self.session.get_process().status().unwrap() {
                WaitStatus::StillAlive => {}
                WaitStatus::Exited(_, code) => {
                    self.pump();
                    return code;
                }
                other => panic!("review ended with {other:?}:\n{}", self.contents()),
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "review never ended:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the terminal is in canonical (cooked) mode, as a shell wants it.
    pub(crate) fn cooked(&self) -> bool {
        // SAFETY: a zeroed termios is a valid out-parameter for tcgetattr on an open fd.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let fd = self.session.get_stream().as_raw_fd();
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
        t.c_lflag & libc::ICANON != 0
    }
}

/// Widget makers drafted with known confidences: answer-letters 0.5, sort-widgets 0.6,
/// paint-housings 0.8, inspect-widgets 0.9, then the two skills (no confidence).
pub(crate) fn drafted() -> (Project, FakeServer) {
    let p = valid_project();
    std::fs::remove_file(p.path(RECORD)).unwrap();
    let server = FakeServer::start();
    for (task, probs) in [
        ("Sort the widgets by colour", [0.6, 0.3, 0.1]),
        ("Paint the widget housings", [0.05, 0.15, 0.8]),
        ("Answer customer letters about widgets", [0.2, 0.5, 0.3]),
        ("Inspect finished widgets for defects", [0.9, 0.05, 0.05]),
    ] {
        server.script_levels(&format!("Task: {task}"), probs);
    }
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    (p, server)
}

const RECORD: &str = "data/records/widget-makers.json";

fn task(p: &Project, id: &str) -> serde_json::Value {
    p.record("widget-makers")["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone()
}

#[test]
fn lowest_confidence_first_each_key_written_at_once_and_undo_restores_exact_bytes() {
    let (p, _server) = drafted();
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    tui.wait_for("1 of 6");
    // The frame at the window's width: a first one drawn before the window was sized
    // (80 columns) cuts the key line, and is drawn again once the size is known.
    let screen = tui.wait_for("s skip  u undo  q quit");
    assert!(screen.contains("1 of 6"), "{screen}");
    assert!(screen.contains("task answer-letters · draft"), "{screen}");
    assert!(screen.contains("confidence 0.50 (logprobs)"), "{screen}");
    assert!(
        screen.contains("statement   Answer customer letters about widgets"),
        "{screen}"
    );
    assert!(
        screen.contains(
            "a approve  r reject draft  e edit  1 HIGH  2 MEDIUM  3 LOW  s skip  u undo  q quit"
        ),
        "{screen}"
    );
    assert!(!tui.cooked(), "raw mode while reviewing");

    // a: approved at once, by the reviewer, on the date.
    tui.key("a");
    let screen = tui.wait_for("2 of 6");
    assert!(
        screen.contains(
            "approved   widget-makers/answer-letters (MEDIUM) by Ann Editor on 2026-11-20"
        ),
        "{screen}"
    );
    assert!(screen.contains("task sort-widgets · draft"), "{screen}");
    let t = task(&p, "answer-letters");
    assert_eq!(t["status"], "approved");
    assert_eq!(t["approval"]["reviewer"], "Ann Editor");
    assert_eq!(t["approval"]["date"], "2026-11-20");

    // 3: the level is LOW now (an edit: the machine said HIGH); then a approves it.
    let before_edit = p.read(RECORD);
    tui.key("3");
    let screen = tui.wait_for("edited     widget-makers/sort-widgets");
    assert!(
        screen.contains("differs from the machine's draft (its level: HIGH)"),
        "{screen}"
    );
    // The level is the editor's: no machine confidence beside it.
    assert!(screen.contains("LOW   set by an editor"), "{screen}");
    assert!(!screen.contains("confidence 0.60"), "{screen}");
    let t = task(&p, "sort-widgets");
    assert_eq!(
        (t["level"].as_str(), t["status"].as_str()),
        (Some("LOW"), Some("draft"))
    );
    assert_eq!(t["machine"]["level"], "HIGH");
    let after_edit = p.read(RECORD);
    tui.key("a");
    tui.wait_for("3 of 6");
    let t = task(&p, "sort-widgets");
    assert_eq!(
        (t["level"].as_str(), t["status"].as_str()),
        (Some("LOW"), Some("approved"))
    );
    let approved = p.read(RECORD);

    // s leaves the file alone.
    tui.key("s");
    tui.wait_for("4 of 6");
    assert_eq!(p.read(RECORD), approved);

    // u, u, u: the skip, the approval, the edit, each undone to the very bytes.
    tui.key("u");
    let screen = tui.wait_for("undone: skip of widget-makers/paint-housings");
    assert!(screen.contains("3 of 6"), "{screen}");
    tui.key("u");
    let screen = tui.wait_for("undone: approval of widget-makers/sort-widgets");
    assert!(screen.contains("2 of 6"), "{screen}");
    assert_eq!(p.read(RECORD), after_edit);
    tui.key("u");
    tui.wait_for("undone: edit of widget-makers/sort-widgets");
    assert_eq!(p.read(RECORD), before_edit);

    // q mid-queue: what was decided stays; the summary says what was done.
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    let screen = tui.contents();
    assert!(
        screen.contains("review: 1 approved, 0 proposal(s) dropped, 0 edited, 0 skipped; 5 of 6 item(s) not reached"),
        "{screen}"
    );
    assert!(tui.cooked(), "the terminal is back in cooked mode");
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
    assert_eq!(task(&p, "sort-widgets")["status"], "draft");
    run_ok(p.willai().arg("validate"), 0);
}

/// `r` on an untouched draft rejects it (recorded, undone by `u`); a skill's screen
/// offers only the keys that mean something there.
#[test]
fn r_rejects_a_draft_and_a_skills_screen_shows_only_its_keys() {
    let (p, _server) = drafted();
    let before = p.read(RECORD);
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    tui.wait_for("1 of 6");
    tui.key("r");
    let screen = tui.wait_for("2 of 6");
    assert!(
        screen.contains("rejected   the draft of widget-makers/answer-letters"),
        "{screen}"
    );
    let t = task(&p, "answer-letters");
    assert_eq!(t["status"], "rejected");
    assert!(
        t.get("level").is_none() && t["machine"]["level"] == "MEDIUM",
        "{t}"
    );
    tui.key("u");
    tui.wait_for("undone: rejection of widget-makers/answer-letters");
    assert_eq!(p.read(RECORD), before, "undo restores the very bytes");
    tui.key("r");
    tui.wait_for("2 of 6");
    // To the skills, the last of the queue (they have no confidence).
    for n in 3..=5 {
        tui.key("s");
        tui.wait_for(&format!("{n} of 6"));
    }
    let screen = tui.contents();
    assert!(screen.contains("· skill "), "{screen}");
    assert!(
        screen.contains("a approve  r reject draft  e edit  s skip  u undo  q quit"),
        "{screen}"
    );
    assert!(!screen.contains("1 HIGH"), "{screen}");
    tui.key("x");
    let screen = tui.wait_for("no key Char('x')");
    assert!(!screen.contains("1 HIGH"), "{screen}");
    let before_skill = p.read(RECORD);
    tui.key("r");
    let screen = tui.wait_for("6 of 6");
    assert!(
        screen.contains("rejected   the draft of widget-makers/skills/"),
        "{screen}"
    );
    // A skill's decision is undone to the very bytes too; then rejected again.
    tui.key("u");
    tui.wait_for("undone: rejection of widget-makers/skills/");
    assert_eq!(
        p.read(RECORD),
        before_skill,
        "undo restores the skill exactly"
    );
    tui.key("r");
    tui.wait_for("6 of 6");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    let screen = tui.contents();
    assert!(
        screen.contains(
            "review: 0 approved, 0 proposal(s) dropped, 2 draft(s) rejected, 0 edited, 3 skipped"
        ),
        "{screen}"
    );
    let record = p.record("widget-makers");
    assert_eq!(
        record["skills"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] == "rejected")
            .count(),
        1
    );
    run_ok(p.willai().arg("validate"), 0);
}

#[test]
fn ctrl_c_keeps_every_decision_and_gives_the_terminal_back() {
    let (p, _server) = drafted();
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    tui.wait_for("1 of 6");
    tui.key("a");
    tui.wait_for("2 of 6");
    tui.key("\x03");
    assert_eq!(tui.exit_code(), 130);
    let screen = tui.contents();
    assert!(screen.contains("review: 1 approved"), "{screen}");
    assert!(
        screen.contains("interrupted: every decision made is saved"),
        "{screen}"
    );
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
    assert!(tui.cooked(), "raw mode is off again");
    let raw = String::from_utf8_lossy(&tui.raw);
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(raw.contains("\x1b[?25h"), "the cursor is shown again");
}

#[test]
fn sigterm_and_sighup_keep_every_decision_and_give_the_terminal_back() {
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let (p, _server) = drafted();
        let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
        tui.wait_for("1 of 6");
        tui.key("a");
        tui.wait_for("2 of 6");
        let pid = tui.session.get_process().pid();
        // SAFETY: a signal to our own child process.
        unsafe {
            libc::kill(pid.as_raw(), signal);
        }
        assert_eq!(tui.exit_code(), code);
        assert_eq!(task(&p, "answer-letters")["status"], "approved");
        assert!(tui.cooked(), "raw mode is off again");
        let raw = String::from_utf8_lossy(&tui.raw);
        assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    }
}

// A closed terminal (its window closed, an ssh connection dropped) ends the review like
// SIGHUP: decisions kept, exit 129, within moments, and not a process left spinning.
// The terminal here is not the child's controlling one, so no SIGHUP arrives: the
// review must notice the hang-up itself.
#[test]
fn a_closed_terminal_ends_the_review_with_every_decision_kept() {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let (p, _server) = drafted();
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: ROWS,
        ws_col: COLS,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two fds; no name buffer, default termios, a valid winsize.
    let ok = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(ok, 0, "openpty");
    // SAFETY: both fds were just opened by openpty and are owned here only.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // SAFETY: flags on an fd we own: non-blocking reads here, and not inherited by the
    // child (else the terminal would stay open through the child's own copy).
    unsafe {
        let flags = libc::fcntl(master.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(master.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
        libc::fcntl(master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC);
    }
    let mut cmd = p.process();
    cmd.env("TERM", "xterm-256color")
        .args(["review", "--reviewer", "Ann Editor", "-p", "widget-makers"])
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave.try_clone().unwrap());
    let mut child = cmd.spawn().unwrap();
    drop(cmd);
    drop(slave);
    let mut master = std::fs::File::from(master);
    let mut seen = Vec::new();
    let mut wait_for = |master: &mut std::fs::File, text: &str| {
        let start = Instant::now();
        let mut buf = [0u8; 16384];
        while !String::from_utf8_lossy(&seen).contains(text) {
            match std::io::Read::read(master, &mut buf) {
                Ok(n) if n > 0 => seen.extend_from_slice(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never showed {text:?}: {}",
                String::from_utf8_lossy(&seen)
            );
        }
    };
    wait_for(&mut master, "1 of 6");
    master.write_all(b"a").unwrap();
    wait_for(&mut master, "2 of 6");
    drop(master);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the review did not end after its terminal closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(129), "{status:?}");
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
}

// A record another program breaks mid-session: the key says why it was not done, the
// session goes on, and once the file is fixed the same key works.
#[test]
fn a_record_broken_during_the_review_is_said_and_the_session_goes_on() {
    let (p, _server) = drafted();
    let good = p.read(RECORD);
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    tui.wait_for("1 of 6");
    p.write(RECORD, "{\"profession\": ");
    tui.key("a");
    let screen = tui.wait_for("this item cannot be shown");
    assert!(screen.contains("widget-makers.json:1:15"), "{screen}");
    assert_eq!(
        p.read(RECORD),
        "{\"profession\": ",
        "nothing written over it"
    );
    p.write(RECORD, &good);
    tui.key("x");
    tui.wait_for("1 of 6");
    tui.key("a");
    tui.wait_for("2 of 6");
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    assert!(
        tui.contents().contains("review: 1 approved"),
        "{}",
        tui.contents()
    );
}

// Another writer holding the project's lock: the key says so at once and writes
// nothing (waiting would freeze the screen, deaf to keys); once it is free the key works.
#[test]
fn a_decision_while_another_writer_holds_the_lock_is_said_not_waited_for() {
    let (p, _server) = drafted();
    let before = p.read(RECORD);
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    tui.wait_for("1 of 6");
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(p.path(".willai.lock"))
        .unwrap();
    held.lock().unwrap();
    tui.key("a");
    tui.wait_for("another willai is writing to this project");
    tui.wait_for("nothing was done");
    assert_eq!(p.read(RECORD), before, "nothing written");
    // The screen does not wait for the lock: a skip (it writes nothing) goes through.
    tui.key("s");
    tui.wait_for("2 of 6");
    tui.key("u");
    tui.wait_for("1 of 6");
    drop(held);
    tui.key("a");
    tui.wait_for("2 of 6");
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
}

// The screen shows record text; it never obeys it (a title escape, a clear screen).
#[test]
fn control_sequences_in_a_record_are_shown_not_obeyed() {
    let (p, _server) = drafted();
    p.edit_record("widget-makers", |r| {
        for t in r["tasks"].as_array_mut().unwrap() {
            if t["id"] == "answer-letters" {
                t["rationale"] = "Evil \u{1b}]0;PWNED\u{7} \u{1b}[2J gone".into();
            }
        }
    });
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    let screen = tui.wait_for("1 of 6");
    assert!(
        screen.contains("Evil \\u001b]0;PWNED\\u0007 \\u001b[2J gone"),
        "{screen}"
    );
    let raw = String::from_utf8_lossy(&tui.raw);
    assert!(
        !raw.contains("\u{1b}]0;PWNED"),
        "the title escape reached the terminal"
    );
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn a_proposal_reads_as_word_changes_r_drops_it_and_a_takes_and_approves_it() {
    let p = valid_project();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--redraft"]),
        0,
    );
    let before = p.record("ml-engineer");
    let mut tui = Tui::spawn(
        &p,
        &[
            "-p",
            "ml-engineer",
            "--only",
            "proposal",
            "--order",
            "profession",
        ],
        &[],
    );
    let screen = tui.wait_for("1 of 7");
    assert!(
        screen.contains("task write-production-code · approved, proposal"),
        "{screen}"
    );
    assert!(
        screen.contains("new text from test-model beside the approved text"),
        "{screen}"
    );
    // The proposed level with the model's confidence in it.
    let sure = before["tasks"][0]["proposal"]["confidence"]["value"]
        .as_f64()
        .expect("a proposal drafted with logprobs has a confidence");
    assert!(
        screen.contains(&format!("confidence {sure:.2} (logprobs)")),
        "{screen}"
    );
    // The current rationale struck through, the proposed one added.
    assert!(
        screen.contains("[-LLMs can draft and transform code quickly."),
        "{screen}"
    );
    assert!(screen.contains("{+"), "{screen}");

    tui.key("r");
    tui.wait_for("dropped    the proposal of ml-engineer/write-production-code");
    let t = &p.record("ml-engineer")["tasks"][0];
    assert!(t["proposal"].is_null());
    assert_eq!(t["rationale"], before["tasks"][0]["rationale"]);
    assert_eq!(t["approval"], before["tasks"][0]["approval"]);
    assert_eq!(
        t["machine"]["rationale"],
        before["tasks"][0]["proposal"]["rationale"]
    );

    tui.key("a");
    tui.wait_for("3 of 7");
    let t = &p.record("ml-engineer")["tasks"][1];
    let proposed = &before["tasks"][1]["proposal"];
    assert!(t["proposal"].is_null());
    assert_eq!(t["rationale"], proposed["rationale"]);
    assert_eq!(t["level"], proposed["level"]);
    assert_eq!(t["approval"]["reviewer"], "Ann Editor");

    // A level key on a proposal acts on the proposed text on screen: the proposal is
    // taken with the new level, the note says so, and `u` puts the entry back.
    let proposed = before["tasks"][2]["proposal"].clone();
    assert!(proposed.is_object(), "the third item is a proposal");
    let (key, level) = if proposed["level"] == "HIGH" {
        ("3", "LOW")
    } else {
        ("1", "HIGH")
    };
    tui.key(key);
    tui.wait_for("starting from the proposal on screen (taken)");
    let t = &p.record("ml-engineer")["tasks"][2];
    assert!(t["proposal"].is_null());
    assert_eq!(t["rationale"], proposed["rationale"]);
    assert_eq!(t["level"], level);
    tui.key("u");
    tui.wait_for("undone: edit");
    assert_eq!(p.record("ml-engineer")["tasks"][2], before["tasks"][2]);
    // Edited and left on screen: reached, not approved yet.
    tui.key(key);
    tui.wait_for("starting from the proposal on screen (taken)");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    let screen = tui.contents();
    assert!(
        screen.contains("review: 1 approved, 1 proposal(s) dropped, 1 edited (1 not approved yet), 0 skipped; 4 of 7 item(s) not reached"),
        "{screen}"
    );
    // An approved text edited in review waits for its approval, as `validate` says.
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("/tasks/2/approval/sha256: edited after approval"),
        "{}",
        r.stdout
    );
}

#[test]
fn e_edits_in_the_editor_a_bad_edit_names_its_line_and_reopens() {
    let (p, _server) = drafted();
    let dir = tempfile::tempdir().unwrap();
    let editor = dir.path().join("editor.sh");
    // The first edit breaks the level; the second (opened with the error on top) fixes
    // it. Each opened text is kept as seen-N for the test to read.
    std::fs::write(
        &editor,
        r#"#!/bin/sh
n=$(ls "$(dirname "$0")" | grep -c '^seen-')
cp "$1" "$(dirname "$0")/seen-$n"
if grep -q '^# error:' "$1"; then
  sed -i 's/^level: .*/level: LOW/' "$1"
else
  sed -i 's/^level: .*/level: HGH/; s/^rationale: .*/rationale: Rewritten in the editor./' "$1"
fi
"#,
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let before = p.read(RECORD);
    let mut tui = Tui::spawn(
        &p,
        &["-p", "widget-makers"],
        &[("EDITOR", editor.to_str().unwrap())],
    );
    tui.wait_for("1 of 6");
    tui.key("e");
    let screen = tui.wait_for("edit not taken");
    assert!(
        screen.contains("line 5: level \"HGH\" is not HIGH, MEDIUM or LOW"),
        "{screen}"
    );
    assert_eq!(p.read(RECORD), before, "a bad edit writes nothing");
    let seen = std::fs::read_to_string(dir.path().join("seen-0")).unwrap();
    assert!(seen.contains("\nlevel: MEDIUM\n"), "{seen}");
    assert!(seen.contains("\ntitle: "), "{seen}");

    tui.key("e");
    tui.wait_for("edited     widget-makers/answer-letters");
    let seen = std::fs::read_to_string(dir.path().join("seen-1")).unwrap();
    assert!(
        seen.starts_with("# error: line 5: level \"HGH\" is not HIGH, MEDIUM or LOW\n"),
        "{seen}"
    );
    let t = task(&p, "answer-letters");
    assert_eq!(t["level"], "LOW");
    assert_eq!(t["rationale"], "Rewritten in the editor.");
    assert_eq!(t["status"], "draft");
    tui.key("a");
    tui.wait_for("2 of 6");
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    assert!(
        tui.contents()
            .contains("review: 1 approved, 0 proposal(s) dropped, 1 edited, 0 skipped"),
        "{}",
        tui.contents()
    );
}

#[test]
fn without_a_terminal_it_exits_2_and_points_to_approve() {
    let (p, _server) = drafted();
    let before = p.read(RECORD);
    let r = run_ok(
        p.willai()
            .args(["review", "-p", "widget-makers", "--reviewer", "Ann"]),
        2,
    );
    assert!(
        r.stderr.contains("willai review needs a terminal"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`willai approve -p NAME"), "{}", r.stderr);
    assert_eq!(p.read(RECORD), before);
}

#[test]
fn another_writer_in_between_is_never_overwritten_by_a_decision_or_an_undo() {
    let (p, _server) = drafted();
    let mut tui = Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    tui.wait_for("1 of 6");
    // Someone approves the item on screen from another terminal.
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "answer-letters",
            "--reviewer",
            "Bob Other",
        ]),
        0,
    );
    let theirs = p.read(RECORD);
    tui.key("a");
    let screen = tui.wait_for("changed on disk since it was shown");
    assert!(
        screen.contains("task answer-letters · approved"),
        "{screen}"
    );
    assert_eq!(
        p.read(RECORD),
        theirs,
        "nothing written over their approval"
    );
    tui.key("s");
    tui.wait_for("2 of 6");

    // An approval here, then their edit of the same entry: undo leaves their text.
    tui.key("a");
    tui.wait_for("3 of 6");
    p.edit_record("widget-makers", |rec| {
        rec["tasks"][0]["tip"] = "Their tip.".into();
    });
    let theirs = p.read(RECORD);
    tui.key("u");
    let screen = tui.wait_for("not undone: widget-makers/sort-widgets changed on disk since");
    assert!(screen.contains("3 of 6"), "{screen}");
    assert_eq!(p.read(RECORD), theirs);
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
}

/// Widget makers in every state: sort-widgets and inspect-widgets approved with a
/// proposal beside them, paint-housings edited after its approval (with a proposal),
/// answer-letters a draft whose catalog statement changed since (stale), two skill drafts.
fn every_state() -> Project {
    let (p, server) = drafted();
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "-t",
            "inspect-widgets",
            "-t",
            "paint-housings",
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    p.edit_record("widget-makers", |r| {
        let paint = r["tasks"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|t| t["id"] == "paint-housings")
            .unwrap();
        paint["rationale"] = serde_json::json!("Edited after its approval.");
    });
    // Another model redrafts: proposals beside the approved and edited text.
    let toml = p.read("willai.toml").replace("test-model", "test-model-2");
    p.write("willai.toml", &toml);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--redraft"]),
        0,
    );
    let path = "data/catalog/widget-makers.json";
    let catalog = p.read(path).replace(
        "Answer customer letters about widgets",
        "Answer customer emails about widgets",
    );
    p.write(path, &catalog);
    p
}

/// The number of items the review opens with (`1 of N`), then quits.
fn queue_len(p: &Project, args: &[&str]) -> usize {
    let mut tui = Tui::spawn(p, args, &[]);
    let screen = tui.wait_for(" of ");
    let n = screen
        .split(" of ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count on the screen:\n{screen}"));
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    n
}

#[test]
fn the_queue_holds_what_only_asks_for_and_stale_items_need_force() {
    let p = every_state();
    let base = ["-p", "widget-makers", "--order", "profession"];
    let with =
        |more: &[&str]| -> Vec<String> { base.iter().chain(more).map(|s| s.to_string()).collect() };
    let len = |more: &[&str]| {
        let args = with(more);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        queue_len(&p, &args)
    };
    // Default: text awaiting approval (answer-letters, paint-housings, two skills) and
    // every proposal (sort, inspect, paint): six, approved text without a proposal out.
    assert_eq!(len(&[]), 6);
    assert_eq!(len(&["--only", "draft"]), 4);
    assert_eq!(len(&["--only", "proposal"]), 3);

    // Only the stale item; `a` refuses it without --force and approves it with.
    let mut tui = Tui::spawn(
        &p,
        &with(&["--only", "stale"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &[],
    );
    let screen = tui.wait_for("1 of 1");
    assert!(screen.contains("task answer-letters"), "{screen}");
    tui.key("a");
    tui.wait_for("not approved: widget-makers/answer-letters is stale");
    let screen = tui.contents();
    assert!(screen.contains("with `willai review --force`"), "{screen}");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    assert_eq!(task(&p, "answer-letters")["status"], "draft");

    let mut tui = Tui::spawn(
        &p,
        &with(&["--only", "stale", "--force"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &[],
    );
    tui.wait_for("1 of 1");
    tui.key("a");
    tui.wait_for("end of the queue");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    assert_eq!(task(&p, "answer-letters")["status"], "approved");
}
