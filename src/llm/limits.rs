//! Request and token budgets, and the shared pause after a 429.
//!
//! Two token buckets (requests per minute, tokens per minute), each refilled
//! continuously and starting full. Tokens are taken before a call on an estimate (prompt
//! bytes / 4 + max_tokens) and settled after it from the reported usage. A 429 pauses
//! every worker, not only the one that got it. One small type of our own: `governor`
//! covers requests/min but not the estimate-then-settle of tokens/min.
//!
//! The server's word is not trusted with the budget: what a call reports is capped by
//! the client to what the request could have used, and a settlement never leaves the
//! bucket more than one minute in debt, so a `prompt_tokens` of 10^9 (or `u64::MAX`)
//! cannot stall a run. A wait is never silent: [`Limits::acquire`] says how long and why
//! when it is at least [`SAY_WAITS_FROM`], at most once every [`SAY_EVERY`].

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Waits this long or longer are said.
pub const SAY_WAITS_FROM: Duration = Duration::from_secs(5);
/// And said at most this often (every worker waits at once when a budget is spent).
pub const SAY_EVERY: Duration = Duration::from_secs(10);

/// What a wait is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The pause every worker takes after a 429.
    Paused,
    /// The requests/min budget is spent.
    Requests,
    /// The tokens/min budget is spent.
    Tokens,
}

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    per_sec: f64,
    level: f64,
    last: Instant,
}

impl Bucket {
    fn new(per_minute: f64, now: Instant) -> Bucket {
        Bucket {
            capacity: per_minute,
            per_sec: per_minute / 60.0,
            level: per_minute,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.level = (self.level + dt * self.per_sec).min(self.capacity);
        self.last = now;
    }

    /// How long until `amount` is available (an amount above capacity waits for a full
    /// bucket, so one huge request cannot block forever).
    fn wait_for(&self, amount: f64) -> Duration {
        let need = amount.min(self.capacity) - self.level;
        if need <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(need / self.per_sec)
        }
    }
}

#[derive(Debug)]
struct State {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
    paused_until: Option<Instant>,
    /// When a wait was last said.
    said: Option<Instant>,
}

/// The budgets shared by every worker of a run.
#[derive(Debug)]
pub struct Limits {
    state: Mutex<State>,
}

impl Limits {
    pub fn new(rpm: Option<u32>, tpm: Option<u64>) -> Limits {
        let now = Instant::now();
        Limits {
            state: Mutex::new(State {
                requests: rpm.map(|n| Bucket::new(n as f64, now)),
                tokens: tpm.map(|n| Bucket::new(n as f64, now)),
                paused_until: None,
                said: None,
            }),
        }
    }

    /// Waits until a request estimated at `tokens` fits the budgets, then takes it.
    /// `say` hears of a wait of at least [`SAY_WAITS_FROM`] (at most once every
    /// [`SAY_EVERY`] for the run): how long, and for what.
    pub async fn acquire(&self, tokens: u64, say: &(dyn Fn(Duration, Wait) + Sync)) {
        loop {
            let (wait, why) = {
                let mut s = self.state.lock().expect("limits lock");
                let now = Instant::now();
                let mut wait = s
                    .paused_until
                    .map(|p| p.saturating_duration_since(now))
                    .unwrap_or_default();
                let mut why = Wait::Paused;
                if wait.is_zero() {
                    s.paused_until = None;
                    if let Some(b) = s.requests.as_mut() {
                        b.refill(now);
                        let w = b.wait_for(1.0);
                        if w > wait {
                            (wait, why) = (w, Wait::Requests);
                        }
                    }
                    if let Some(b) = s.tokens.as_mut() {
                        b.refill(now);
                        let w = b.wait_for(tokens as f64);
                        if w > wait {
                            (wait, why) = (w, Wait::Tokens);
                        }
                    }
                    if wait.is_zero() {
                        if let Some(b) = s.requests.as_mut() {
                            b.level -= 1.0;
                        }
                        if let Some(b) = s.tokens.as_mut() {
                            b.level -= (tokens as f64).min(b.capacity);
                        }
                        return;
                    }
                }
                let say_now = wait >= SAY_WAITS_FROM
                    && s.said
                        .is_none_or(|t| now.saturating_duration_since(t) >= SAY_EVERY);
                if say_now {
                    s.said = Some(now);
                }
                (wait, say_now.then_some(why))
            };
            if let Some(why) = why {
                say(wait, why);
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Settles a call's tokens: returns what the estimate over-took, takes what it
    /// under-took (the caller caps `actual` at what the request could have used). The
    /// bucket is never left more than one minute's budget in debt.
    pub fn settle(&self, estimated: u64, actual: u64) {
        let mut s = self.state.lock().expect("limits lock");
        if let Some(b) = s.tokens.as_mut() {
            let est = (estimated as f64).min(b.capacity);
            b.level = (b.level + est - actual as f64).clamp(-b.capacity, b.capacity);
        }
    }

    /// Pauses every worker for at least `d` (after a 429).
    pub fn pause_all(&self, d: Duration) {
        let mut s = self.state.lock().expect("limits lock");
        let until = Instant::now() + d;
        if s.paused_until.is_none_or(|p| p < until) {
            s.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` held to a (virtual) minute: a broken bucket that never fills again would
    /// otherwise wait forever instead of failing.
    async fn within_a_minute<F: std::future::Future<Output = ()>>(f: F) {
        tokio::time::timeout(Duration::from_secs(60), f)
            .await
            .expect("the budget frees up within a minute");
    }

    #[tokio::test(start_paused = true)]
    async fn requests_per_minute_spread_calls_out() {
        let limits = Limits::new(Some(60), None);
        let start = Instant::now();
        within_a_minute(async {
            for _ in 0..62 {
                limits.acquire(0, &|_, _| {}).await;
            }
        })
        .await;
        // 60 from the full bucket, then one per second.
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(1990) && elapsed < Duration::from_millis(2100),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_per_minute_wait_and_settle() {
        let limits = Limits::new(None, Some(600));
        let start = Instant::now();
        within_a_minute(async {
            limits.acquire(600, &|_, _| {}).await;
            limits.settle(600, 300); // 300 come back
            limits.acquire(300, &|_, _| {}).await;
            assert!(start.elapsed() < Duration::from_millis(10));
            limits.acquire(60, &|_, _| {}).await; // empty: 60 tokens take 6 s at 10/s
        })
        .await;
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(5990) && elapsed < Duration::from_millis(6100),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_shorter_pause_never_cuts_a_longer_one_and_a_longer_one_extends_it() {
        let limits = Limits::new(None, None);
        let start = Instant::now();
        limits.pause_all(Duration::from_secs(5));
        limits.pause_all(Duration::from_secs(1));
        within_a_minute(limits.acquire(1, &|_, _| {})).await;
        assert!(
            start.elapsed() >= Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );

        let start = Instant::now();
        limits.pause_all(Duration::from_secs(1));
        limits.pause_all(Duration::from_secs(3));
        within_a_minute(limits.acquire(1, &|_, _| {})).await;
        assert!(
            start.elapsed() >= Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_caller() {
        let limits = Limits::new(None, None);
        limits.pause_all(Duration::from_secs(3));
        let start = Instant::now();
        within_a_minute(limits.acquire(1, &|_, _| {})).await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }

    /// A server reporting 10^9 tokens (or u64::MAX) for one call leaves the budget at
    /// most a minute in debt: the next request waits about a minute, not days, and the
    /// wait is said.
    #[tokio::test(start_paused = true)]
    async fn a_huge_reported_usage_costs_at_most_a_minute_and_the_wait_is_said() {
        for reported in [1_000_000_000, u64::MAX] {
            let limits = Limits::new(None, Some(200_000));
            let said = std::sync::Mutex::new(Vec::new());
            let say = |d: Duration, why: Wait| said.lock().unwrap().push((d, why));
            limits.acquire(1_000, &say).await;
            limits.settle(1_000, reported);
            let start = Instant::now();
            tokio::time::timeout(Duration::from_secs(180), limits.acquire(1_000, &say))
                .await
                .expect("the budget frees up within minutes");
            let waited = start.elapsed();
            assert!(waited <= Duration::from_secs(121), "{waited:?}");
            let said = said.lock().unwrap();
            assert_eq!(said.len(), 1, "{said:?}");
            assert_eq!(said[0].1, Wait::Tokens);
            assert!(said[0].0 >= Duration::from_secs(60), "{said:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn short_waits_are_not_said_and_long_ones_once_per_ten_seconds() {
        let limits = Limits::new(Some(60), None);
        let said = std::sync::Mutex::new(0);
        let say = |_: Duration, _: Wait| *said.lock().unwrap() += 1;
        for _ in 0..62 {
            limits.acquire(0, &say).await; // one a second once the bucket is empty
        }
        assert_eq!(
            *said.lock().unwrap(),
            0,
            "waits under five seconds are not said"
        );
        limits.pause_all(Duration::from_secs(30));
        limits.acquire(0, &say).await;
        assert_eq!(*said.lock().unwrap(), 1);
    }
}
