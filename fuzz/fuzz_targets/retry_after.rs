//! `Retry-After` (seconds or HTTP-date) and `retry-after-ms`: never a panic, and the delay
//! agrees with an independent reading of the input.
//!
//! First byte: bit 0 picks the mode. Mode 0 sends the rest as raw header values (split at
//! the second byte) and checks digit-only values against exact durations. Mode 1 formats a
//! time taken from the rest in one of the three HTTP-date forms, with a formatter written
//! here, and checks the wait against the clock.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unitysvc::fuzzing::retry_after;

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Year, month (1-12) and day of a count of days since 1970-01-01 (Hinnant's algorithm).
fn civil(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as usize, d)
}

/// `t` (seconds since the epoch, non-negative) as an HTTP-date in form `form` (0-2).
fn http_date(t: i64, form: u8) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let (y, m, d) = civil(days);
    let wd = (days + 4).rem_euclid(7) as usize;
    let mon = MONTHS[m - 1];
    match form {
        0 => format!(
            "{}, {d:02} {mon} {y:04} {h:02}:{mi:02}:{s:02} GMT",
            DAYS[wd]
        ),
        1 => format!(
            "{}, {d:02}-{mon}-{:02} {h:02}:{mi:02}:{s:02} GMT",
            LONG_DAYS[wd],
            y % 100
        ),
        _ => format!("{} {mon} {d:>2} {h:02}:{mi:02}:{s:02} {y}", DAYS[wd]),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn digits(v: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(v).ok()?.trim_matches([' ', '\t']);
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

fn raw(data: &[u8]) {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let cut = usize::from(cut).min(rest.len());
    let (ms, secs) = rest.split_at(cut);
    // Empty means "header absent", so both presence cases are reached.
    let ms = (!ms.is_empty()).then_some(ms);
    let secs = (!secs.is_empty()).then_some(secs);
    let got = retry_after(ms, secs);
    if let Some(n) = ms.and_then(digits).filter(|s| s.len() <= 12) {
        let want = Duration::from_millis(n.parse().expect("digits"));
        let got = got.expect("whole milliseconds are a delay");
        let diff = got.abs_diff(want);
        assert!(diff <= Duration::from_micros(1), "{n} ms: got {got:?}");
    } else if ms.is_none() {
        if let Some(n) = secs.and_then(digits).and_then(|s| s.parse::<u64>().ok()) {
            assert_eq!(got, Some(Duration::from_secs(n)), "{n} s");
        }
    }
}

fn date(data: &[u8]) {
    if data.len() < 9 {
        return;
    }
    let form = data[0] % 3;
    let pick = i64::from_le_bytes(data[1..9].try_into().expect("8 bytes"));
    let before = now();
    // RFC 850 years have two digits, read as within 50 years of now; keep inside that.
    let t = if form == 1 {
        before - 40 * 365 * 86_400 + pick.rem_euclid(80 * 365 * 86_400)
    } else {
        pick.rem_euclid(253_402_300_800) // up to 9999-12-31T23:59:59
    };
    let text = http_date(t, form);
    let got = retry_after(None, Some(text.as_bytes()));
    let after = now();
    let got = got.unwrap_or_else(|| panic!("{text:?} is an HTTP-date"));
    let lo = (t - after - 1).max(0) as u64;
    let hi = (t - before + 1).max(0) as u64;
    assert!(
        (lo..=hi).contains(&got.as_secs()),
        "{text:?}: waited {got:?}, want {lo}..={hi} s"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        raw(rest);
    } else {
        date(rest);
    }
});
