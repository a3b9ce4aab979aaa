//! The numbers behind the site's charts, which the templates draw as inline SVG (no
//! script, no image to fetch). A stacked bar needs no numbers here: its viewBox is as
//! wide as the task count and each segment as wide as its level's count, so the drawing
//! is exact. The index's distribution is a histogram of professions by their share of
//! HIGH tasks, in ten bins, scaled to the tallest.

use serde::Serialize;

/// Height of the tallest histogram bar, in SVG units.
const PLOT: usize = 100;
/// Top margin above the bars (room for the counts).
const TOP: usize = 14;
/// Width of one bin (bar and gap).
const BIN: usize = 30;

#[derive(Clone, Debug, Serialize)]
pub struct Bin {
    /// "0–9%", ..., "90–100%".
    pub label: String,
    pub count: usize,
    /// Left edge, top edge and height of the bar in SVG units.
    pub x: usize,
    pub y: usize,
    pub height: usize,
    /// Where the label and the count are centred.
    pub mid: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Histogram {
    pub bins: Vec<Bin>,
    /// Professions counted (those with at least one task).
    pub total: usize,
    /// The whole chart in words, for screen readers: "0–9%: 12 professions; ...".
    pub desc: String,
    /// The SVG's width and height.
    pub width: usize,
    pub height: usize,
    /// The baseline the bars stand on.
    pub base: usize,
}

/// The histogram of HIGH shares (whole percent, 0 to 100), one per profession.
pub fn histogram(shares: impl IntoIterator<Item = u32>) -> Histogram {
    let mut counts = [0usize; 10];
    for s in shares {
        counts[(s.min(100) / 10).min(9) as usize] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let total: usize = counts.iter().sum();
    let bins: Vec<Bin> = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let height = (count * PLOT + max / 2) / max;
            let height = if count > 0 { height.max(1) } else { 0 };
            let label = if i == 9 {
                "90–100%".to_string()
            } else {
                format!("{}–{}%", i * 10, i * 10 + 9)
            };
            Bin {
                label,
                count,
                x: i * BIN + 3,
                y: TOP + PLOT - height,
                height,
                mid: i * BIN + BIN / 2,
            }
        })
        .collect();
    let desc = bins
        .iter()
        .map(|b| {
            let noun = if b.count == 1 {
                "profession"
            } else {
                "professions"
            };
            format!("{} HIGH: {} {noun}", b.label, b.count)
        })
        .collect::<Vec<_>>()
        .join("; ");
    Histogram {
        bins,
        total,
        desc: format!("{desc}."),
        width: 10 * BIN,
        height: TOP + PLOT + 16,
        base: TOP + PLOT,
    }
}

/// `part` of `whole` in whole percent, rounded half up: one rounding for every share the
/// site prints, so a list sorted by the exact share never prints a larger number below a
/// smaller one (5 of 8 and 10 of 16 both print 63%).
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    ((200 * part + whole) / (2 * whole)) as u32
}

/// The shares of HIGH, MEDIUM and LOW in whole percent, adding up to 100: each boundary
/// of the stacked bar is rounded ([`percent`] of HIGH, of HIGH and MEDIUM together), so
/// HIGH is exactly the share printed everywhere else, every share is within one point of
/// the exact one, and they add up to 100; all 0 when there is nothing.
pub fn shares(high: usize, medium: usize, low: usize) -> [u32; 3] {
    let whole = high + medium + low;
    if whole == 0 {
        return [0; 3];
    }
    let first = percent(high, whole);
    let second = percent(high + medium, whole);
    [first, second - first, 100 - second]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_0_to_100_and_scale_to_the_tallest() {
        let h = histogram([0, 9, 10, 55, 99, 100, 100, 100]);
        let counts: Vec<usize> = h.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [2, 1, 0, 0, 0, 1, 0, 0, 0, 4]);
        assert_eq!(h.total, 8);
        assert_eq!(h.bins[9].height, PLOT);
        assert_eq!(h.bins[0].height, 50);
        assert_eq!(h.bins[2].height, 0);
        assert_eq!(h.bins[9].y + h.bins[9].height, h.base);
        assert!(
            h.desc
                .starts_with("0–9% HIGH: 2 professions; 10–19% HIGH: 1 profession;")
        );
        assert_eq!(h.bins[9].label, "90–100%");
    }

    #[test]
    fn an_empty_histogram_has_no_bars() {
        let h = histogram([]);
        assert!(h.bins.iter().all(|b| b.height == 0));
        assert_eq!(h.total, 0);
    }

    #[test]
    fn shares_add_up_to_100() {
        assert_eq!(shares(2, 1, 0), [67, 33, 0]);
        assert_eq!(shares(10, 1, 7), [56, 5, 39]);
        assert_eq!(shares(6486, 6299, 6480), [34, 32, 34]);
        assert_eq!(shares(1, 1, 1), [33, 34, 33]);
        // The same rounding as every other share the site prints: 5 of 8 and 10 of 16
        // are both 63% (largest remainders made them 63% and 62%).
        assert_eq!(shares(5, 2, 1)[0], 63);
        assert_eq!(shares(10, 1, 5)[0], 63);
        assert_eq!(percent(5, 8), percent(10, 16));
        assert_eq!(shares(0, 0, 0), [0, 0, 0]);
        // Every split of up to 40 tasks: the shares add up to 100, each is within a point
        // of the exact one, and HIGH is the one printed in lists.
        for n in 1..=40usize {
            for h in 0..=n {
                for m in 0..=n - h {
                    let l = n - h - m;
                    let s = shares(h, m, l);
                    assert_eq!(s.iter().sum::<u32>(), 100, "{h} {m} {l}");
                    for (share, count) in s.iter().zip([h, m, l]) {
                        let exact = 100.0 * count as f64 / n as f64;
                        assert!(
                            (f64::from(*share) - exact).abs() < 1.0,
                            "{h} {m} {l}: {s:?}"
                        );
                    }
                    assert_eq!(s[0], percent(h, n));
                }
            }
        }
    }
}
