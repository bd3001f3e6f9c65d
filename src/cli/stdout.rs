//! Text written straight to standard output as it is made, for commands
//! whose output grows with the design (a 50,000-table script is 70 MB):
//! held whole, it and the copies made while it grew would double the
//! command's memory.

use std::fmt;
use std::io::{self, BufWriter, Write};

/// Runs `write` with a writer onto standard output (buffered), and says
/// what went wrong if standard output did.
pub fn stream(write: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = Adapter {
        inner: BufWriter::with_capacity(1 << 16, stdout.lock()),
        error: None,
    };
    let written = write(&mut out);
    match out.error.take() {
        Some(e) => Err(e),
        None if written.is_err() => Err(io::Error::other("the text could not be made")),
        None => out.inner.flush(),
    }
}

/// `fmt::Write` onto an `io::Write`, keeping the I/O error that
/// `fmt::Error` cannot carry.
struct Adapter<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> fmt::Write for Adapter<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn the_adapter_passes_text_through_and_keeps_the_io_error() {
        let mut out = Adapter {
            inner: Vec::new(),
            error: None,
        };
        let b = 'b';
        write!(out, "a{b}c").unwrap();
        assert_eq!(out.inner, b"abc");

        let mut full = Adapter {
            inner: io::Cursor::new([0u8; 2]),
            error: None,
        };
        assert!(full.write_str("abc").is_err());
        assert_eq!(full.error.map(|e| e.kind()), Some(io::ErrorKind::WriteZero));
    }
}
