//! A CSV file's rows as the load's record reader ([`super::readers::csv_from`]) numbers, skips
//! and rejects them, found by one pass over the file's lines, so that a scan can read the file a
//! piece at a time with polars' fast reader ([`Layout::read_pieces`]) and still give each row the
//! number, and each bad row the problem, a load gives it ([`crate::scan::scan_csv`]).
//!
//! Each line after the header is a row number. The record reader reads an empty line as a blank
//! row (numbered, not a row read), skips a record with no value (`,,,,`: a blank row), reads no
//! row for the empty lines after the last record, and rejects a record with the wrong number of
//! fields, invalid UTF-8 or a field over `max_field_bytes` (that row only, with its problem). The
//! layout lists the rows to leave out, with the problems of the rejected ones as the record
//! reader gives them (it reads each such line); the pieces are read without them.
//!
//! The pass reads the file a piece at a time (about 32 MiB), so it holds one piece at once. It
//! reads files with no quote character (`"`): there a line break always ends a record, and
//! polars' reader and the record reader split a line into the same fields. A quote, or a carriage
//! return that does not end a line (the record reader ends a record there, polars does not), is
//! refused with an error naming its row: such a file is read with [`crate::load::read_csv`].

use std::path::Path;

use polars::prelude::*;

use super::csv_parts::{Pieces, PIECE_BYTES};
use super::readers;
use super::LoadOptions;
use crate::error::{Error, Problem, Result};

/// A CSV file's lines and the rows among them (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layout {
    /// The header's column names, as a load reads them.
    pub names: Vec<String>,
    /// The header's line (with its line end), and the byte where the data starts.
    header: Vec<u8>,
    data_start: u64,
    /// Bytes per piece read.
    piece_bytes: usize,
    /// The file's length and time of last change when the pass read it: a later read of a file
    /// changed since is refused (the rows left out would be another file's).
    stamp: Option<(u64, std::time::SystemTime)>,
    /// The lines after the header, empty ones included.
    pub records: u64,
    /// The last line with a record: the empty lines after it are no rows.
    last: u64,
    /// The rows up to `last` left out of the batches, sorted: empty lines, records with no
    /// value, and rows the record reader rejects.
    dropped: Vec<u64>,
    /// Blank rows: empty lines inside the file and records with no value.
    pub blank_rows: u64,
    /// The problems of the rows the record reader rejects, in row order.
    pub problems: Vec<Problem>,
}

impl Layout {
    /// One pass over the file at `path` (see the module docs).
    pub(crate) fn read(path: &Path, opts: &LoadOptions) -> Result<Layout> {
        Self::read_in(path, opts, PIECE_BYTES)
    }

    fn read_in(path: &Path, opts: &LoadOptions, piece_bytes: usize) -> Result<Layout> {
        let file = path.display().to_string();
        let stamp = stamp_of(path)?;
        let mut pieces = Pieces::open(path, piece_bytes)?;
        // The pieces up to the header's whole line (empty lines may come first).
        let mut first = Vec::new();
        while let Some(piece) = pieces.next_piece()? {
            first.extend_from_slice(&piece);
            let content = first.iter().position(|b| !matches!(b, b'\n' | b'\r'));
            if content.is_some_and(|c| memchr::memchr(b'\n', &first[c..]).is_some()) {
                break;
            }
        }
        // The header as a load checks it (empty file, blank first line, too many columns ...),
        // after any empty lines. Its line, whole, is refused for a quote or a carriage return
        // inside it (the record reader would end the header there).
        let (names, _) = readers::csv_header(&first, &file, opts)?;
        let skip = first.iter().position(|b| !matches!(b, b'\n' | b'\r')).unwrap_or(first.len());
        let end = memchr::memchr(b'\n', &first[skip..]).map_or(first.len(), |p| skip + p + 1);
        refuse_quote(&first[skip..end], &file, 0)?;
        let header = first[skip..end].to_vec();
        let mut out = Layout { names, header, data_start: end as u64, piece_bytes, stamp, ..Layout::default() };
        // The empty lines not yet followed by a record (they are no rows if none follows).
        let mut pending: Vec<u64> = Vec::new();
        let mut next = Some(first[end..].to_vec());
        drop(first);
        while let Some(piece) = next {
            crate::cancel::check()?;
            out.lines(&piece, &file, opts, &mut pending)?;
            next = pieces.next_piece()?;
        }
        // Empty lines after the last record are no rows (as in a load).
        Ok(out)
    }

    /// Walks the lines of `piece` (whole lines, after the header).
    fn lines(&mut self, piece: &[u8], file: &str, opts: &LoadOptions, pending: &mut Vec<u64>) -> Result<()> {
        let ncol = self.names.len();
        let d = opts.delimiter;
        let utf8 = std::str::from_utf8(piece).is_ok();
        // A quote, or a carriage return that does not end a line, anywhere in the piece: refused
        // with its row (looked for in the whole piece, not line by line).
        let lone_cr = memchr::memchr_iter(b'\r', piece).find(|p| piece.get(p + 1) != Some(&b'\n'));
        if let Some(p) = [memchr::memchr(b'"', piece), lone_cr].into_iter().flatten().min() {
            let start = memchr::memrchr(b'\n', &piece[..p]).map_or(0, |s| s + 1);
            let end = memchr::memchr(b'\n', &piece[p..]).map_or(piece.len(), |e| p + e);
            let row = self.records + 1 + bytecount(&piece[..start], b'\n') as u64;
            refuse_quote(&piece[start..end], file, row)?;
        }
        let mut at = 0;
        while at < piece.len() {
            let end = memchr::memchr(b'\n', &piece[at..]).map_or(piece.len(), |p| at + p);
            let line = &piece[at..end];
            at = end + 1;
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            self.records += 1;
            let row = self.records;
            if body.is_empty() {
                pending.push(row);
                continue;
            }
            // Empty lines followed by a record: blank rows, numbered.
            self.blank_rows += pending.len() as u64;
            self.dropped.append(pending);
            self.last = row;
            if body.iter().all(|b| b.is_ascii_whitespace() || *b == d) {
                self.blank_rows += 1;
                self.dropped.push(row);
                continue;
            }
            let fields = bytecount(body, d) + 1;
            let suspect =
                fields != ncol || body.len() > opts.max_field_bytes || (!utf8 && std::str::from_utf8(body).is_err());
            if suspect {
                // The record reader's own reading of the line, numbered as in the file.
                let raw = readers::csv_from(&[&self.header, body, b"\n"].concat(), file, opts)?;
                if !raw.problems.is_empty() {
                    self.dropped.push(row);
                    self.problems.extend(raw.problems.into_iter().map(|p| Problem { row, ..p }));
                }
            }
        }
        Ok(())
    }

    /// Reads the file's data a piece at a time (about 32 MiB, cut at a line break) with polars'
    /// fast reader ([`readers::csv_fast`]), every field as text, and gives `batch` each piece's
    /// rows with their row numbers (column `row`, `UInt64`), the rows [`Layout::is_dropped`]
    /// leaves out taken out of the piece's bytes first. No piece is held after its batch. Returns
    /// the records (lines) left out.
    pub(crate) fn read_pieces(
        &self,
        path: &Path,
        opts: &LoadOptions,
        row: &str,
        batch: impl Fn(DataFrame) -> Result<()> + Sync,
    ) -> Result<u64> {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
        if stamp_of(path)? != self.stamp {
            return Err(Error::Read {
                file: path.display().to_string(),
                format: "CSV".into(),
                message: "the file changed since the scan was made (its length or time of last change): make the \
                          scan again"
                    .into(),
            });
        }
        // The next piece and the lines before it, shared by the two workers: each takes a piece
        // and works on it while the other reads and works on the next (the batches may come out
        // of order, which the scan's tables take).
        let next = std::sync::Mutex::new((Pieces::open_at(path, self.data_start, self.piece_bytes)?, 0u64));
        let (left_out, stop) = (AtomicU64::new(0), AtomicBool::new(false));
        let work = || -> Result<()> {
            let mut buf = Vec::with_capacity(self.header.len() + self.piece_bytes + (1 << 16));
            while !stop.load(Relaxed) {
                crate::cancel::check()?;
                let (piece, first, last) = {
                    let mut next = next.lock().map_err(|_| Error::Internal("a piece's reading failed".into()))?;
                    let Some(piece) = next.0.next_piece()? else { return Ok(()) };
                    let lines = bytecount(&piece, b'\n') as u64 + u64::from(piece.last().is_some_and(|b| *b != b'\n'));
                    let first = next.1 + 1;
                    next.1 += lines;
                    (piece, first, next.1)
                };
                let rows = self.rows_of(&piece, first, last, &mut buf);
                drop(piece);
                left_out.fetch_add(last + 1 - first - rows.len() as u64, Relaxed);
                if rows.is_empty() {
                    continue;
                }
                let frame = readers::csv_fast(&buf, &self.names, opts).filter(|f| f.height() == rows.len());
                let Some(mut frame) = frame else {
                    return Err(Error::Read {
                        file: path.display().to_string(),
                        format: "CSV".into(),
                        message: format!(
                            "rows {first} to {last} were not read as the check of the file's lines found them (did \
                             the file change?); read it with read_csv"
                        ),
                    });
                };
                frame.with_column(UInt64Chunked::from_vec(row.into(), rows).into_column())?;
                batch(frame)?;
            }
            Ok(())
        };
        let flag = crate::cancel::current();
        let run = || {
            let out = match &flag {
                Some(f) => crate::cancel::with_flag(f.clone(), work),
                None => work(),
            };
            if out.is_err() {
                stop.store(true, Relaxed);
            }
            out
        };
        let (other, mine) = std::thread::scope(|s| {
            let other = s.spawn(run);
            let mine = run();
            (other.join(), mine)
        });
        mine?;
        other.map_err(|_| Error::Internal("a piece's reading panicked".into()))??;
        Ok(left_out.load(Relaxed))
    }

    /// Puts the header and the rows of `piece` (its lines `first` to `last`) in `buf`, without
    /// the rows left out; returns the rows put.
    fn rows_of(&self, piece: &[u8], first: u64, last: u64, buf: &mut Vec<u8>) -> Vec<u64> {
        buf.clear();
        buf.extend_from_slice(&self.header);
        if !self.drops_in(first, last) {
            buf.extend_from_slice(piece);
            return (first..=last).collect();
        }
        // Only the lines that are rows, each ended by a line break.
        let (mut rows, mut at) = (Vec::new(), 0);
        for r in first..=last {
            let end = memchr::memchr(b'\n', &piece[at..]).map_or(piece.len(), |p| at + p);
            if !self.is_dropped(r) {
                buf.extend_from_slice(&piece[at..end]);
                buf.push(b'\n');
                rows.push(r);
            }
            at = end + 1;
        }
        rows
    }

    /// Whether a row from `first` to `last` is left out.
    fn drops_in(&self, first: u64, last: u64) -> bool {
        last > self.last
            || self.dropped[self.dropped.partition_point(|r| *r < first)..].first().is_some_and(|r| *r <= last)
    }

    /// Whether the line (and row) `row` is left out of the batches.
    fn is_dropped(&self, row: u64) -> bool {
        row > self.last || self.dropped.binary_search(&row).is_ok()
    }

    /// Rows read, as a load counts them (accepted + rejected): rows with a value.
    pub(crate) fn rows_read(&self) -> u64 {
        self.last - self.blank_rows
    }
}

/// The length and time of last change of the file at `path` (`None` for the time where the
/// system keeps none).
fn stamp_of(path: &Path) -> Result<Option<(u64, std::time::SystemTime)>> {
    let meta = std::fs::metadata(path).map_err(|e| readers::io_err(path, e))?;
    Ok(meta.modified().ok().map(|t| (meta.len(), t)))
}

/// Occurrences of `b` in `bytes` (a loop the compiler vectorises).
fn bytecount(bytes: &[u8], b: u8) -> usize {
    bytes.iter().filter(|x| **x == b).count()
}

/// Refuses a line with a quote or a carriage return inside it (see the module docs); `row` 0 is
/// the header.
fn refuse_quote(line: &[u8], file: &str, row: u64) -> Result<()> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    let what = if body.contains(&b'"') {
        "a quote (\"): a quoted field may hold a line break or a delimiter, which the scan's line-by-line \
         check cannot follow; a CSV scan reads files without quotes. Read it with read_csv (which reads \
         quoted fields)"
    } else if body.contains(&b'\r') {
        "a carriage return (\\r) inside a line, which ends a record for a load (an old Mac line end) but \
         not for the scan's line-by-line check; a CSV scan reads lines ended by \\n or \\r\\n. Read it with \
         read_csv"
    } else {
        return Ok(());
    };
    let place = if row == 0 { "the header".to_string() } else { format!("row {row}") };
    Err(Error::Read {
        file: file.to_string(),
        format: "CSV".into(),
        message: format!("{place} holds {what}, or write it to Parquet and scan that"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str, opts: &LoadOptions, piece: usize) -> Result<Layout> {
        layout_named(text, opts, piece).0
    }

    /// The layout of `text` written to a file, the file's name, and the file (removed when
    /// dropped).
    fn layout_named(text: &str, opts: &LoadOptions, piece: usize) -> (Result<Layout>, String, tempfile::NamedTempFile) {
        let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        std::fs::write(f.path(), text).unwrap();
        (Layout::read_in(f.path(), opts, piece), f.path().display().to_string(), f)
    }

    /// The rows, blank rows and problems the record reader gives, against the layout's.
    fn check(text: &str) {
        let opts = LoadOptions { max_field_bytes: 40, ..LoadOptions::default() };
        for piece in [1, 7, 64, 1 << 20] {
            let (l, file, _kept) = layout_named(text, &opts, piece);
            let l = l.unwrap();
            let raw = readers::csv_from(text.as_bytes(), &file, &opts).unwrap();
            // The lines after the header (not what follows the last line end); the header is the
            // first line that is not empty.
            let all: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
            let header = all.iter().position(|l| !l.is_empty()).unwrap();
            assert_eq!(l.names.join(","), all[header], "{text:?}");
            let lines = &all[header + 1..];
            let lines = if text.ends_with('\n') { &lines[..lines.len() - 1] } else { lines };
            assert_eq!(l.records, lines.len() as u64, "{text:?}");
            // Each kept record's row is the record reader's row for it.
            let kept: Vec<u64> = (1..=l.records).filter(|r| !l.is_dropped(*r)).collect();
            let want: Vec<u64> = (0..raw.frame.height()).map(|i| raw.rows.get(i)).collect();
            assert_eq!(kept, want, "{text:?} piece {piece}");
            assert_eq!(l.blank_rows, raw.blank_rows, "{text:?}");
            assert_eq!(l.rows_read(), raw.rows_read, "{text:?}");
            let problems: Vec<(u64, String, crate::Rule)> =
                l.problems.iter().map(|p| (p.row, p.column.clone(), p.rule)).collect();
            let want: Vec<(u64, String, crate::Rule)> =
                raw.problems.iter().map(|p| (p.row, p.column.clone(), p.rule)).collect();
            assert_eq!(problems, want, "{text:?}");
            for (a, b) in l.problems.iter().zip(&raw.problems) {
                assert_eq!((&a.value, &a.message, &a.file), (&b.value, &b.message, &b.file));
            }
            // Read by pieces: the record reader's rows, values and row numbers (the pieces come
            // in any order).
            let got = std::sync::Mutex::new(Vec::new());
            let left_out = l
                .read_pieces(Path::new(&file), &opts, "__row", |df| {
                    got.lock().unwrap().push(df);
                    Ok(())
                })
                .unwrap();
            let mut frames = got.into_inner().unwrap();
            frames.sort_by_key(|df| df.column("__row").unwrap().u64().unwrap().get(0));
            let rows: Vec<u64> =
                frames.iter().flat_map(|df| df.column("__row").unwrap().u64().unwrap().into_no_null_iter()).collect();
            let mut frames: Vec<DataFrame> = frames.into_iter().map(|df| df.drop("__row").unwrap()).collect();
            let read: Vec<u64> = (0..raw.frame.height()).map(|i| raw.rows.get(i)).collect();
            assert_eq!(rows, read, "{text:?} piece {piece}");
            assert_eq!(left_out, l.records - read.len() as u64);
            if let Some(mut all) = frames.pop() {
                for f in frames.into_iter().rev() {
                    all = f.vstack(&all).unwrap();
                }
                assert!(all.equals_missing(&raw.frame), "{text:?} piece {piece}\n{all}\n{}", raw.frame);
            } else {
                assert_eq!(raw.frame.height(), 0);
            }
        }
    }

    #[test]
    fn rows_blank_rows_and_rejects_are_the_record_readers() {
        check("a,b,c\n1,2,3\n4,5,6\n");
        check("a,b,c\n1,2,3\n4,5,6");
        check("a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n");
        // Empty lines inside (blank rows, numbered) and at the end (no rows).
        check("a,b,c\n\n1,2,3\n\n\n4,5,6\n\n\n");
        // Records with no value, too many or too few fields, a field over the limit.
        check("a,b,c\n,,\n1,2,3\n  , ,\n4,5\n7,8,9,10\n   \nx,y,z\n");
        check(&format!("a,b,c\n1,{},3\n4,5,6\n", "w".repeat(41)));
        check("a,b,c\n\n,,\n\n1,2\n");
        // Empty lines before the header.
        check("\n\na,b,c\n1,2,3\n");
        check("\r\na,b,c\r\n\r\n1,2,3\r\n");
    }

    #[test]
    fn invalid_utf8_rejects_its_row_only() {
        let mut bytes = b"a,b,c\n1,2,3\n4,".to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        bytes.extend_from_slice(b",6\n7,8,9\n");
        let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        std::fs::write(f.path(), &bytes).unwrap();
        let opts = LoadOptions::default();
        let raw = readers::csv_from(&bytes, "x", &opts).unwrap();
        let l = Layout::read_in(f.path(), &opts, 5).unwrap();
        assert_eq!(l.records, 3);
        assert!(l.is_dropped(2) && !l.is_dropped(1) && !l.is_dropped(3));
        assert_eq!(l.problems.len(), raw.problems.len());
        assert_eq!((l.problems[0].row, l.problems[0].rule), (2, crate::Rule::InvalidUtf8));
    }

    #[test]
    fn quotes_and_lone_carriage_returns_are_refused_with_their_row() {
        let opts = LoadOptions::default();
        for (text, want) in [
            ("a,b,c\n1,2,3\n4,\"5\",6\n", "row 2 holds a quote"),
            ("a,\"b\",c\n1,2,3\n", "the header holds a quote"),
            ("a,b,c\n1,2,3\n\n4,5\r6\n", "row 3 holds a carriage return"),
            ("a,b,c\r\r\n1,2,3\n", "the header holds a carriage return"),
        ] {
            let err = layout(text, &opts, 4).unwrap_err().to_string();
            assert!(err.contains(want) && err.contains("read_csv"), "{err}");
        }
        // An empty file, a blank header: the load's own errors.
        for text in ["", "  ,  \n1,2\n"] {
            let err = layout(text, &opts, 4).unwrap_err().to_string();
            let want = readers::csv_from(text.as_bytes(), "x", &opts).err().unwrap().to_string();
            assert_eq!(err.split(": ").skip(1).collect::<Vec<_>>(), want.split(": ").skip(1).collect::<Vec<_>>());
        }
    }
}
