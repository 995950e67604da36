//! Gateway durations (`<n>[smhd]`) and the moments a delayed wrapper fires at.

use super::WrapperError;
use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::time::Duration;

/// Units from largest to smallest, so the first exact one is the most compact.
const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// A whole, non-zero number of seconds written as `<n>[smhd]`.
///
/// A parsed duration keeps the unit it was written with (`"60s"` stays `60s` on the
/// wire); one built from seconds or a [`Duration`] uses the largest exact unit. Equality,
/// ordering and hashing compare the length, so `60s == 1m`.
///
/// ```
/// use std::time::Duration;
/// use unitysvc::wrappers::GatewayDuration;
///
/// let d = GatewayDuration::try_from(Duration::from_secs(600)).unwrap();
/// assert_eq!(d.to_string(), "10m");
/// assert_eq!("60s".parse::<GatewayDuration>().unwrap().to_string(), "60s");
/// assert_eq!("2d".parse::<GatewayDuration>().unwrap().as_secs(), 172_800);
/// assert!("1.5h".parse::<GatewayDuration>().is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct GatewayDuration {
    count: u64,
    unit: char,
    secs: u64,
}

impl GatewayDuration {
    /// Creates a duration from whole seconds, written in the largest exact unit; zero is
    /// rejected.
    pub fn from_secs(secs: u64) -> Result<Self, WrapperError> {
        if secs == 0 {
            return Err(WrapperError::InvalidDuration("0s".into()));
        }
        // `UNITS` ends with seconds (factor 1), so some unit always divides exactly.
        let (unit, factor) = UNITS
            .iter()
            .copied()
            .find(|&(_, n)| secs.is_multiple_of(n))
            .unwrap_or(('s', 1));
        Ok(Self {
            count: secs / factor,
            unit,
            secs,
        })
    }

    /// Returns the duration in whole seconds.
    pub fn as_secs(self) -> u64 {
        self.secs
    }

    /// Returns the duration as a [`std::time::Duration`].
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(self.secs)
    }
}

impl PartialEq for GatewayDuration {
    fn eq(&self, other: &Self) -> bool {
        self.secs == other.secs
    }
}

impl Eq for GatewayDuration {}

impl Hash for GatewayDuration {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.secs.hash(state);
    }
}

impl PartialOrd for GatewayDuration {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GatewayDuration {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.secs.cmp(&other.secs)
    }
}

impl TryFrom<Duration> for GatewayDuration {
    type Error = WrapperError;

    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        if d.subsec_nanos() != 0 || d.as_secs() == 0 {
            return Err(WrapperError::InvalidDuration(format!("{d:?}")));
        }
        Self::from_secs(d.as_secs())
    }
}

impl From<GatewayDuration> for Duration {
    fn from(d: GatewayDuration) -> Self {
        d.as_duration()
    }
}

impl fmt::Display for GatewayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.count, self.unit)
    }
}

impl FromStr for GatewayDuration {
    type Err = WrapperError;

    /// Parses `^[1-9][0-9]*[smhd]$`, e.g. `30s`, `10m`, `1h`, `2d`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || WrapperError::InvalidDuration(s.to_owned());
        let unit = s.chars().last().ok_or_else(err)?;
        let digits = &s[..s.len() - unit.len_utf8()];
        let valid_digits = digits.starts_with(|c: char| matches!(c, '1'..='9'))
            && digits.bytes().all(|b| b.is_ascii_digit());
        if !valid_digits {
            return Err(err());
        }
        let factor = UNITS
            .iter()
            .find(|&&(u, _)| u == unit)
            .map(|&(_, n)| n)
            .ok_or_else(err)?;
        let count: u64 = digits.parse().map_err(|_| err())?;
        let secs = count.checked_mul(factor).ok_or_else(err)?;
        Ok(Self { count, unit, secs })
    }
}

/// When a delayed (`d/`) wrapper fires: at a moment or after a duration.
///
/// ```
/// use unitysvc::wrappers::Delay;
///
/// assert!(Delay::at("2026-06-01T10:00:00Z").is_ok());
/// assert!(Delay::at("2026-99-99T99:99:99Z").is_err());
/// let soon = Delay::after("90s".parse().unwrap());
/// # let _ = soon;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delay(DelayKind);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DelayKind {
    /// The caller's RFC 3339 text, kept as written after it parsed.
    At(String),
    In(GatewayDuration),
}

impl Delay {
    /// Runs at an RFC 3339 timestamp such as `2026-06-01T10:00:00Z`, sent as written.
    ///
    /// # Errors
    ///
    /// [`WrapperError::InvalidTimestamp`] when chrono cannot parse it as RFC 3339.
    pub fn at(timestamp: &str) -> Result<Self, WrapperError> {
        DateTime::parse_from_rfc3339(timestamp)
            .map(|_| Self(DelayKind::At(timestamp.to_owned())))
            .map_err(|_| WrapperError::InvalidTimestamp(timestamp.to_owned()))
    }

    /// Runs at `when`, sent in UTC with second precision or finer as needed.
    pub fn at_time(when: DateTime<Utc>) -> Self {
        Self(DelayKind::At(
            when.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        ))
    }

    /// Runs after `delay`.
    pub fn after(delay: GatewayDuration) -> Self {
        Self(DelayKind::In(delay))
    }

    pub(super) fn param(&self) -> (&'static str, String) {
        match &self.0 {
            DelayKind::At(ts) => ("_at", ts.clone()),
            DelayKind::In(d) => ("_in", d.to_string()),
        }
    }
}

impl From<DateTime<Utc>> for Delay {
    fn from(when: DateTime<Utc>) -> Self {
        Self::at_time(when)
    }
}

impl From<GatewayDuration> for Delay {
    fn from(delay: GatewayDuration) -> Self {
        Self::after(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrappers::GatewayPath;

    fn dur(s: &str) -> GatewayDuration {
        s.parse().expect("valid duration")
    }

    fn svc(id: &str) -> GatewayPath {
        GatewayPath::service(id)
    }

    #[test]
    fn delay_validation() {
        assert_ne!(
            Delay::at("2026-06-01T10:00:00Z").unwrap(),
            Delay::after(dur("5m"))
        );
        for bad in [
            "",
            "tomorrow",
            "2026/06/01",
            "2026-06-01 10:00",
            "2026-99-99T99:99:99Z",
            "2026-02-30T10:00:00Z",
            "2026-06-01T10:00:00",
        ] {
            assert_eq!(
                Delay::at(bad),
                Err(WrapperError::InvalidTimestamp(bad.into()))
            );
        }
        assert!(Delay::at("2026-06-01T10:00:00+02:00").is_ok());
        // The caller's text goes on the wire as written.
        let p = svc("a").delayed(&Delay::at("2026-06-01T12:00:00.5+02:00").unwrap());
        assert_eq!(
            p.to_string(),
            "d/p/a?_at=2026-06-01T12%3A00%3A00.5%2B02%3A00"
        );
        let when = chrono::DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let p = svc("a").delayed(&Delay::from(when));
        assert_eq!(p.to_string(), "d/p/a?_at=2026-06-01T10%3A00%3A00Z");
    }

    #[test]
    fn durations() {
        for (secs, text) in [
            (3600, "1h"),
            (600, "10m"),
            (90, "90s"),
            (86_400, "1d"),
            (1, "1s"),
            (5400, "90m"),
            (172_800, "2d"),
        ] {
            let d = GatewayDuration::try_from(Duration::from_secs(secs)).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(text.parse::<GatewayDuration>(), Ok(d));
            assert_eq!(d.as_duration(), Duration::from_secs(secs));
            assert_eq!(Duration::from(d), Duration::from_secs(secs));
        }
        // Parsed durations keep the unit they were written in; equality is by length.
        assert_eq!(dur("60m").to_string(), "60m");
        assert_eq!(dur("60s").to_string(), "60s");
        assert_eq!(dur("24h").to_string(), "24h");
        assert_eq!(dur("60s"), dur("1m"));
        assert!(dur("59s") < dur("1m"));
        let p = svc("x").cached_for(dur("60s")).recurrent(dur("24h"));
        assert_eq!(p.to_string(), "r/m/p/x?_ttl=60s&_every=24h");
        assert_eq!(dur("120s").as_secs(), 120);
        for bad in [
            Duration::ZERO,
            Duration::from_millis(1500),
            Duration::from_millis(500),
        ] {
            assert!(matches!(
                GatewayDuration::try_from(bad),
                Err(WrapperError::InvalidDuration(_))
            ));
        }
        assert!(GatewayDuration::from_secs(0).is_err());
        assert_eq!(GatewayDuration::from_secs(7200).unwrap().to_string(), "2h");
        let bad = [
            "",
            "h",
            "0s",
            "01m",
            "1",
            "1w",
            "1.5h",
            "-1h",
            " 1h",
            "1h ",
            "1H",
            "1é",
            "99999999999999999999d",
            "999999999999999999d",
        ];
        for s in bad {
            assert_eq!(
                s.parse::<GatewayDuration>(),
                Err(WrapperError::InvalidDuration(s.into())),
                "{s:?}"
            );
        }
    }
}
