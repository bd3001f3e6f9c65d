//! Names of migration files: UTC timestamps, slugs made from a message,
//! revision ids.
//!
//! The SQL layout is `<YYYYMMDDHHMMSS>_<slug>.up.sql` and `.down.sql`, the
//! one sqlx, dbmate and golang-migrate read; Alembic revisions are
//! `<revision>_<slug>.py`, Alembic's own default. Everything here is pure:
//! the caller reads the clock and draws the random numbers.

use std::fmt;

/// The longest slug plinth writes, in bytes; longer messages are cut at a
/// word boundary so file names stay manageable.
pub const MAX_SLUG_LEN: usize = 48;

/// A moment in UTC, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Timestamp {
    /// The UTC time `seconds` after the Unix epoch.
    pub fn from_unix(seconds: u64) -> Self {
        let days = (seconds / 86_400) as i64;
        let rest = seconds % 86_400;
        let (year, month, day) = civil_from_days(days);
        Timestamp {
            year,
            month,
            day,
            hour: (rest / 3600) as u32,
            minute: (rest % 3600 / 60) as u32,
            second: (rest % 60) as u32,
        }
    }

    /// Seconds since the Unix epoch.
    pub fn to_unix(self) -> u64 {
        let days = days_from_civil(self.year, self.month, self.day);
        days as u64 * 86_400
            + u64::from(self.hour) * 3600
            + u64::from(self.minute) * 60
            + u64::from(self.second)
    }

    /// Reads the 14-digit form `YYYYMMDDHHMMSS` that migration file names
    /// start with.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a UTC timestamp of the form YYYYMMDDHHMMSS");
        if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let part = |from: usize, to: usize| text[from..to].parse::<u32>().map_err(|_| bad());
        let t = Timestamp {
            year: part(0, 4)?,
            month: part(4, 6)?,
            day: part(6, 8)?,
            hour: part(8, 10)?,
            minute: part(10, 12)?,
            second: part(12, 14)?,
        };
        let valid = t.year >= 1970
            && (1..=12).contains(&t.month)
            && (1..=days_in_month(t.year, t.month)).contains(&t.day)
            && t.hour < 24
            && t.minute < 60
            && t.second < 60;
        if valid { Ok(t) } else { Err(bad()) }
    }

    /// The next second.
    pub fn next(self) -> Self {
        Timestamp::from_unix(self.to_unix() + 1)
    }

    /// `2024-05-01 12:30:00 UTC`, for people.
    pub fn readable(self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The 14-digit form, `20240501123000`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as u32, month as u32, day as u32)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A file-name-safe form of a message: lower-case ASCII letters and digits
/// joined by single underscores, cut at a word boundary. `"Add due dates!"`
/// gives `add_due_dates`; a message with nothing usable gives `migration`.
pub fn slug(message: &str) -> String {
    let mut out = String::new();
    for word in message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_ascii_lowercase();
        let extra = usize::from(!out.is_empty()) + word.len();
        if out.len() + extra > MAX_SLUG_LEN {
            if out.is_empty() {
                out.push_str(&word[..MAX_SLUG_LEN]);
            }
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word);
    }
    if out.is_empty() {
        out.push_str("migration");
    }
    out
}

/// The up and down file names of a SQL migration.
pub fn sql_file_names(version: Timestamp, slug: &str) -> (String, String) {
    (
        format!("{version}_{slug}.up.sql"),
        format!("{version}_{slug}.down.sql"),
    )
}

/// The version a SQL migration file name starts with, if it is one.
pub fn sql_version(file_name: &str) -> Option<Timestamp> {
    let stem = file_name
        .strip_suffix(".up.sql")
        .or_else(|| file_name.strip_suffix(".down.sql"))?;
    let (version, _) = stem.split_once('_').unwrap_or((stem, ""));
    Timestamp::parse(version).ok()
}

/// The file name of an Alembic revision, Alembic's default `rev_slug.py`.
pub fn alembic_file_name(revision: &str, slug: &str) -> String {
    format!("{revision}_{slug}.py")
}

/// Whether a revision id can go into a file name and a Python string as
/// it is: ASCII letters, digits and underscores, at most 32 of them.
pub fn is_valid_revision(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A 12-hex-digit revision id, like the ones Alembic makes, from a random
/// number the caller draws.
pub fn revision_id(random: u64) -> String {
    format!("{:012x}", random & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_unix_seconds() {
        let t = Timestamp::from_unix(0);
        assert_eq!(t.to_string(), "19700101000000");
        // 2024-02-29 23:59:59 UTC, a leap day.
        let t = Timestamp::from_unix(1_709_251_199);
        assert_eq!(t.to_string(), "20240229235959");
        assert_eq!(t.readable(), "2024-02-29 23:59:59 UTC");
        assert_eq!(t.to_unix(), 1_709_251_199);
        assert_eq!(t.next().to_string(), "20240301000000");
        for seconds in [86_399, 951_782_400, 4_102_444_800, 1_234_567_890] {
            assert_eq!(Timestamp::from_unix(seconds).to_unix(), seconds);
        }
    }

    #[test]
    fn parses_only_real_times() {
        let t = Timestamp::parse("20240501123000").unwrap();
        assert_eq!((t.year, t.month, t.day, t.hour), (2024, 5, 1, 12));
        for bad in [
            "2024050112300",
            "2024050112300x",
            "20240230000000",
            "20231301000000",
            "20240501240000",
            "19691231235959",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        assert!(Timestamp::parse("20240229000000").is_ok());
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_underscores() {
        assert_eq!(slug("Add due dates!"), "add_due_dates");
        assert_eq!(
            slug("  rename  tasks.notes -> description "),
            "rename_tasks_notes_description"
        );
        assert_eq!(slug("Café au lait"), "caf_au_lait");
        assert_eq!(slug("!!!"), "migration");
        let long = slug(&"word ".repeat(30));
        assert!(
            long.len() <= MAX_SLUG_LEN && long.ends_with("word"),
            "{long}"
        );
        assert_eq!(slug(&"x".repeat(100)).len(), MAX_SLUG_LEN);
    }

    #[test]
    fn file_names() {
        let t = Timestamp::parse("20240501123000").unwrap();
        let (up, down) = sql_file_names(t, "add_x");
        assert_eq!(up, "20240501123000_add_x.up.sql");
        assert_eq!(down, "20240501123000_add_x.down.sql");
        assert_eq!(sql_version(&up), Some(t));
        assert_eq!(sql_version(&down), Some(t));
        assert_eq!(sql_version("notes.sql"), None);
        assert_eq!(alembic_file_name("ab12", "add_x"), "ab12_add_x.py");
        assert_eq!(revision_id(u64::MAX), "ffffffffffff");
        assert_eq!(revision_id(0x2a), "00000000002a");
        assert!(is_valid_revision("0001_init"));
        assert!(!is_valid_revision("a-b") && !is_valid_revision(""));
    }
}
