//! A large CSV file loaded part by part: the file is read a piece at a time (about 32 MiB, cut at
//! a line break), each piece parsed by the fast reader a whole load uses for a well-formed file
//! ([`super::readers::csv_fast`]) and validated on its own, so that neither the file's bytes nor
//! polars' text frame of the whole file (every field as text: 2 GB for a 1 GB file) is held beside
//! the validated frame. At 10M rows the load's peak went from 3.35 GB to 1.85 GB, in the same time.
//!
//! The result equals the whole file's load ([`super::validate::validate`] of
//! [`super::readers::csv`]): the same frame, problems and load report, SHA-256 included. Two
//! rules span rows, and are settled once every piece is read: the duplicate-`case_id` rule over
//! every row's id (each piece's ids are kept, as the whole load reads them), and the day/month
//! order of text dates, from every date value. A piece is validated with the order its own and
//! the earlier pieces' dates imply; a piece that holds a repeated id, or was validated in another
//! order than the whole file's, is read again (its bytes checked against a hash taken the first
//! time) and validated again. For the usual file (ISO dates, no repeated id) no piece is read
//! twice.
//!
//! Whatever could make a piece differ from the whole file sends the file to the whole load
//! instead, which then decides as it always has (the record reader for a malformed file):
//!
//! - a quote character anywhere (a quoted field may hold a line break, so a line break is not
//!   sure to end a record), or a piece the fast reader declines (a short or long record, a blank
//!   line, invalid UTF-8, a field over the size limit);
//! - the rules [`super::parts`] also leaves to the whole load: no `case_id` column or a missing
//!   id, every status `unknown`, an aggregate table, outcome columns, sums past 64 bits;
//! - a piece that changed between its two reads.

use std::hash::BuildHasher;
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::Digest;

use super::readers::{self, Rows};
use super::validate::{self, Validated};
use super::{parts, LoadOptions, OnInvalid};
use crate::dates::{self, DateOrder};
use crate::error::Result;
use crate::schema::col_names::*;
use crate::schema::Status;

/// Files smaller than this are read whole (the saving is small, and one read is simpler).
pub(crate) const MIN_BYTES: u64 = 64 << 20;

/// Bytes per piece, about (a piece ends at the last line break within it).
pub(crate) const PIECE_BYTES: usize = 32 << 20;

/// Loads the CSV file at `path` by pieces of about `piece_bytes` when it has at least
/// `min_bytes` bytes and nothing sends it to the whole load (see the module docs).
pub(crate) fn read_csv(path: &Path, opts: &LoadOptions, min_bytes: u64, piece_bytes: usize) -> Result<Validated> {
    let (_, len) = readers::open_file(path)?;
    if len >= min_bytes && opts.outcome_columns.is_empty() {
        if let Some(v) = by_pieces(path, opts, piece_bytes)? {
            return Ok(v);
        }
    }
    validate::validate(readers::csv(path, opts)?, opts)
}

/// One piece read: where it is in the file, its fingerprint, its rows and the place of its first
/// row, the date order it was validated with, and whether it has an ambiguous date (one that
/// reads differently in another order).
struct Piece {
    offset: u64,
    len: usize,
    /// Whether it ends the file (its empty lines at the end are no rows).
    last: bool,
    print: u64,
    rows: usize,
    start: usize,
    order: DateOrder,
    ambiguous: bool,
}

/// The load by pieces, or `None` when the file is to be loaded whole (see the module docs).
fn by_pieces(path: &Path, opts: &LoadOptions, piece_bytes: usize) -> Result<Option<Validated>> {
    let file = path.display().to_string();
    let mut pieces = Pieces::open(path, piece_bytes)?;
    let Some(first) = pieces.next_piece()? else { return Ok(None) };
    let Some(end) = first.iter().position(|b| *b == b'\n') else { return Ok(None) };
    let header = first[..=end].to_vec();
    if header.contains(&b'"') {
        return Ok(None);
    }
    // Anything the whole load would refuse is left to it, so that its error is the one given.
    let Ok(names) = readers::csv_names(&header, &file, opts) else { return Ok(None) };
    let Ok(m) = validate::match_columns(&names, opts, &file) else { return Ok(None) };
    let Ok((_, aggregate)) = validate::check_required(&m, &names, opts, &file) else { return Ok(None) };
    let (Some(id), Some(status)) = (m.canon.get(CASE_ID).cloned(), m.canon.get(STATUS).cloned()) else {
        return Ok(None);
    };
    if aggregate {
        return Ok(None);
    }
    let dates: Vec<String> = [REPORTED_AT, ACTIONED_AT].iter().filter_map(|c| m.canon.get(*c).cloned()).collect();
    // The columns looked at before validation, each once (one input column can be two of them).
    let mut looked: Vec<String> = Vec::new();
    for c in [&id, &status].into_iter().chain(&dates) {
        if !looked.contains(c) {
            looked.push(c.clone());
        }
    }
    // The pieces are validated in quarantine; a strict load fails at the end with every problem.
    let quarantine = LoadOptions { on_invalid: OnInvalid::Quarantine, ..opts.clone() };
    let auto = opts.date_order == DateOrder::Auto;

    let mut sha = sha2::Sha256::new();
    let (mut read, mut parts): (Vec<Piece>, Vec<Option<Validated>>) = (Vec::new(), Vec::new());
    let mut ids: Option<StringChunked> = None;
    let (mut evidence, mut any_status, mut known) = ((false, false), false, false);
    let (mut offset, mut start) = (0u64, 0usize);
    let mut next = Some(first);
    while let Some(piece) = next {
        crate::cancel::check()?;
        let data = if read.is_empty() { &piece[header.len()..] } else { &piece[..] };
        if memchr::memchr(b'"', data).is_some() {
            return Ok(None);
        }
        let last = pieces.at_end();
        let data = if last { readers::without_trailing_empty_lines(data) } else { data };
        // The hash on one core while polars parses on both.
        let ((), frame) = rayon::join(|| sha.update(&piece), || parse(&header, data, &names, opts));
        let Some(frame) = frame else { return Ok(None) };
        let n = frame.height();
        let mut ambiguous = false;
        let order = if n == 0 {
            if auto {
                dates::order_of(evidence)
            } else {
                opts.date_order
            }
        } else {
            // What spans rows, from this piece's text as a whole load would see it.
            let mut look = frame.select(looked.iter().map(String::as_str))?;
            validate::read_null_markers(&mut look, &opts.null_values)?;
            let these = look.column(&id)?.str()?.clone();
            if these.null_count() > 0 {
                return Ok(None);
            }
            match &mut ids {
                Some(all) => {
                    all.append(&these)?;
                }
                None => ids = Some(these),
            }
            for v in look.column(&status)?.str()?.iter().flatten() {
                any_status = true;
                known |= v.trim() != Status::Unknown.as_str();
            }
            if auto {
                for d in &dates {
                    let (day, month, amb) = dates::order_evidence(look.column(d)?.str()?.iter().flatten());
                    evidence = (evidence.0 | day, evidence.1 | month);
                    ambiguous |= amb;
                }
                dates::order_of(evidence)
            } else {
                opts.date_order
            }
        };
        let p = Piece { offset, len: piece.len(), last, print: fingerprint(&piece), rows: n, start, order, ambiguous };
        offset += piece.len() as u64;
        drop(piece);
        // Ambiguous dates with no order known yet: validated once the whole file's is (validated
        // now, each would be a reject, kept until the piece is validated again).
        let wait = ambiguous && auto && evidence == (false, false);
        parts.push(if n == 0 || wait {
            None
        } else {
            Some(parts::validate_rows(frame, &file, p.start, Vec::new(), Some(order), &quarantine)?)
        });
        start += n;
        read.push(p);
        next = pieces.next_piece()?;
    }
    // Every status `unknown`: a source without outcomes, decided over the whole file.
    if start == 0 || start >= u32::MAX as usize || (any_status && !known) {
        return Ok(None);
    }
    let Some(ids) = ids else { return Ok(None) };

    // The rules across pieces, now that every piece is read: the duplicate ids over the whole
    // file, and the day/month order of every date. A piece with a duplicate id, one validated in
    // another order than the whole file's that has an ambiguous date, or one left until the order
    // was known, is read again and validated.
    let order = if auto { dates::order_of(evidence) } else { opts.date_order };
    let duplicates = validate::duplicates_of(&id, &ids.into_column(), &file, &Rows::Sequential, opts)?;
    let mut dups = duplicates.into_iter().peekable();
    let mut again = std::fs::File::open(path).map_err(|e| readers::io_err(path, e))?;
    for (p, part) in read.iter().zip(parts.iter_mut()) {
        let mine = parts::duplicates_in(&mut dups, p.start, p.rows);
        if p.rows == 0 || (mine.is_empty() && part.is_some() && (p.order == order || !p.ambiguous)) {
            continue;
        }
        crate::cancel::check()?;
        use std::io::{Seek, SeekFrom};
        let mut piece = vec![0u8; p.len];
        again
            .seek(SeekFrom::Start(p.offset))
            .and_then(|_| again.read_exact(&mut piece))
            .map_err(|e| readers::io_err(path, e))?;
        // The file changed since the piece was read: load it whole.
        if fingerprint(&piece) != p.print {
            return Ok(None);
        }
        let data = if p.offset == 0 { &piece[header.len()..] } else { &piece[..] };
        let data = if p.last { readers::without_trailing_empty_lines(data) } else { data };
        let Some(frame) = parse(&header, data, &names, opts) else { return Ok(None) };
        if frame.height() != p.rows {
            return Ok(None);
        }
        *part = Some(parts::validate_rows(frame, &file, p.start, mine, Some(order), &quarantine)?);
    }
    let parts: Vec<Validated> = parts.into_iter().flatten().collect();
    if !parts::fits(&parts)? {
        return Ok(None);
    }
    parts::join(&file, parts, readers::hex(&sha.finalize()), opts).map(Some)
}

/// The records of `data` (after the header) as polars' fast reader gives them, no rows for no
/// data; `None` when it declines them.
fn parse(header: &[u8], data: &[u8], names: &[String], opts: &LoadOptions) -> Option<DataFrame> {
    if data.is_empty() {
        let columns = names.iter().map(|n| Column::new_empty(n.as_str().into(), &DataType::String)).collect();
        return DataFrame::new(0, columns).ok();
    }
    readers::csv_fast(&[header, data].concat(), names, opts)
}

/// A fast 64-bit hash of a piece's bytes: the second pass checks that it reads the pieces the
/// first pass read (the file did not change in between).
fn fingerprint(piece: &[u8]) -> u64 {
    PlFixedStateQuality::default().hash_one(piece)
}

/// A file read a piece at a time: each piece ends at a line break (the last piece at the end of
/// the file); the pieces joined are the file. At most the length the file had when opened is
/// read, as [`readers::read_file`] does.
pub(crate) struct Pieces {
    reader: std::io::Take<std::fs::File>,
    path: PathBuf,
    carry: Vec<u8>,
    size: usize,
    end: bool,
}

impl Pieces {
    pub(crate) fn open(path: &Path, size: usize) -> Result<Pieces> {
        Self::open_at(path, 0, size)
    }

    /// [`Pieces::open`] from the byte `offset` of the file on.
    pub(crate) fn open_at(path: &Path, offset: u64, size: usize) -> Result<Pieces> {
        use std::io::{Seek, SeekFrom};
        let (mut f, len) = readers::open_file(path)?;
        f.seek(SeekFrom::Start(offset)).map_err(|e| readers::io_err(path, e))?;
        let reader = f.take(len.saturating_sub(offset));
        Ok(Pieces { reader, path: path.to_path_buf(), carry: Vec::new(), size: size.max(1), end: false })
    }

    /// Whether the piece given last was the file's last (known when the file ended while it was
    /// read; a file that ends exactly at a piece's end is found to have ended one call later).
    pub(crate) fn at_end(&self) -> bool {
        self.end && self.carry.is_empty()
    }

    /// The next piece: about `size` bytes up to and including a line break (more when a line is
    /// longer), or the rest of the file; `None` at its end.
    pub(crate) fn next_piece(&mut self) -> Result<Option<Vec<u8>>> {
        let mut buf = std::mem::take(&mut self.carry);
        loop {
            if self.end {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            crate::cancel::check()?;
            let start = buf.len();
            // A line longer than `size` (or a file with no line break) is read on in growing
            // steps; only the bytes just read are searched (the carry and the bytes before have
            // no line break), so a long line costs its length once.
            let want = self.size.saturating_sub(start).max(self.size.min(1 << 16)).max(start / 2);
            buf.reserve(want);
            let got = (&mut self.reader)
                .take(want as u64)
                .read_to_end(&mut buf)
                .map_err(|e| readers::io_err(&self.path, e))?;
            if got < want {
                self.end = true;
                continue;
            }
            if let Some(p) = memchr::memrchr(b'\n', &buf[start..]).map(|p| start + p) {
                self.carry = buf[p + 1..].to_vec();
                buf.truncate(p + 1);
                return Ok(Some(buf));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parts::tests::{assert_same, messy};

    fn write_csv(df: &DataFrame) -> tempfile::NamedTempFile {
        let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        CsvWriter::new(std::fs::File::create(f.path()).unwrap()).finish(&mut df.clone()).unwrap();
        f
    }

    fn whole(path: &Path, opts: &LoadOptions) -> Result<Validated> {
        validate::validate(readers::csv(path, opts)?, opts)
    }

    /// The pieces of `path` of about `size` bytes (each but the last ends at a line break).
    fn pieces_of(path: &Path, size: usize) -> Vec<Vec<u8>> {
        let mut p = Pieces::open(path, size).unwrap();
        let mut out = Vec::new();
        while let Some(piece) = p.next_piece().unwrap() {
            out.push(piece);
        }
        out
    }

    #[test]
    fn pieces_cut_at_line_breaks_and_join_to_the_file() {
        let df = crate::synth::synthetic_frame(3_000, 2).unwrap();
        let f = write_csv(&df);
        let bytes = std::fs::read(f.path()).unwrap();
        for size in [1, 100, 4_096, 70_000, bytes.len(), bytes.len() * 2] {
            let pieces = pieces_of(f.path(), size);
            assert_eq!(pieces.concat(), bytes, "size {size}");
            for p in &pieces[..pieces.len() - 1] {
                assert_eq!(p.last(), Some(&b'\n'), "size {size}");
            }
            if size >= bytes.len() {
                assert_eq!(pieces.len(), 1);
            }
        }
    }

    #[test]
    fn a_load_by_pieces_equals_the_whole_load() {
        let n = 3_000;
        let df = messy(n);
        let f = write_csv(&df);
        let quarantine = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
        assert!(by_pieces(f.path(), &quarantine, 10_000).unwrap().is_some(), "the file is read by pieces");
        let want = whole(f.path(), &quarantine).unwrap();
        assert!(want.report.rows_rejected > 60, "{:?}", want.report.problems_by_rule);
        assert!(want.report.problems_by_rule.contains_key(&crate::Rule::DuplicateCaseId));
        for size in [1, 10_000, 77_777, 1 << 30] {
            let got = read_csv(f.path(), &quarantine, 0, size).unwrap();
            assert_same(&got, &want, &format!("size {size}"));
        }
        // Strict: the same error, listing the same problems up to the cap, with the same total.
        let strict = LoadOptions::default();
        let want = format!("{:?}", whole(f.path(), &strict).unwrap_err());
        let got = format!("{:?}", read_csv(f.path(), &strict, 0, 20_000).unwrap_err());
        assert_eq!(got, want);
    }

    /// Day-first dates as text: the first pieces' dates are ambiguous (day and month 12 or
    /// less), only a late row shows the order; each piece must read its dates in the order of
    /// the whole file.
    #[test]
    fn text_dates_are_read_in_the_whole_files_order() {
        let n = 2_000;
        let df = crate::synth::synthetic_frame(n, 6).unwrap();
        let day = |i: usize| if i == n - 5 { 25 } else { 1 + (i % 12) };
        let text: StringChunked = (0..n).map(|i| Some(format!("{:02}/{:02}/2025", day(i), 1 + (i * 7) % 12))).collect();
        let mut df = df.drop(ACTIONED_AT).unwrap();
        df.with_column(text.with_name(REPORTED_AT.into()).into_column()).unwrap();
        let f = write_csv(&df);
        let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
        // Several pieces, the first ones validated before the order is known, then again.
        assert!(by_pieces(f.path(), &opts, 8_000).unwrap().is_some());
        assert!(std::fs::metadata(f.path()).unwrap().len() > 4 * 8_000);
        let want = whole(f.path(), &opts).unwrap();
        assert_eq!(want.report.rows_rejected, 0, "{:?}", want.problems.first());
        let got = read_csv(f.path(), &opts, 0, 8_000).unwrap();
        assert_same(&got, &want, "day-first");
        // Both orders seen: neither is assumed, in the pieces as in the whole load.
        let mut both = df.clone();
        let t: StringChunked = (0..n)
            .map(|i| Some(if i == 3 { "02/28/2025".to_string() } else { format!("{:02}/03/2025", day(i)) }))
            .collect();
        both.with_column(t.with_name(REPORTED_AT.into()).into_column()).unwrap();
        let f = write_csv(&both);
        // The first piece is read month-first (its own evidence), then again with neither order.
        assert!(by_pieces(f.path(), &opts, 8_000).unwrap().is_some());
        let want = whole(f.path(), &opts).unwrap();
        assert!(want.report.rows_rejected > 0);
        let got = read_csv(f.path(), &opts, 0, 8_000).unwrap();
        assert_same(&got, &want, "both orders");
    }

    /// A spreadsheet's export: a byte-order mark, `;` between fields, `N/A` for missing values,
    /// thousands separators, renamed headers and labels to map, dates day-first.
    #[test]
    fn a_spreadsheet_export_by_pieces_equals_the_whole_load() {
        let mut text = String::from("\u{feff}Case ID;Platform;Account;Group;Followers;Reported at;Status\n");
        for i in 0..4_000 {
            let followers = if i % 97 == 3 { "N/A".to_string() } else { format!("{},{:03}", i % 50, i % 1000) };
            let status = ["Removed", "pending", "Taken down", "rejected"][i % 4];
            let day = 1 + i % 28;
            let id = if i == 3_500 { 17 } else { i };
            text.push_str(&format!(
                "K{id};{};@fake_{};TTP;{followers};{day:02}/{:02}/2025;{status}\n",
                ["Facebook", "X", "TikTok"][i % 3],
                i % 700,
                1 + i % 12
            ));
        }
        let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        std::fs::write(f.path(), &text).unwrap();
        let opts = LoadOptions {
            delimiter: b';',
            null_values: vec!["N/A".into()],
            thousands: Some(','),
            ..LoadOptions::default()
        }
        .with_status_label("Taken down", crate::Status::Removed)
        .with_on_invalid(OnInvalid::Quarantine);
        let want = whole(f.path(), &opts).unwrap();
        assert_eq!(want.report.rows_read, 4_000);
        assert!(want.report.problems_by_rule.contains_key(&crate::Rule::DuplicateCaseId));
        assert!(want.report.null_values_read > 0);
        assert!(by_pieces(f.path(), &opts, 9_000).unwrap().is_some(), "read by pieces");
        let got = read_csv(f.path(), &opts, 0, 9_000).unwrap();
        assert_same(&got, &want, "export");
    }

    #[test]
    fn what_a_piece_cannot_decide_sends_the_file_to_the_whole_load() {
        let n = 1_500;
        let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
        let base = crate::synth::synthetic_frame(n, 5).unwrap();
        let planned = |text: &[u8]| {
            let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
            std::fs::write(f.path(), text).unwrap();
            let p = by_pieces(f.path(), &opts, 5_000).unwrap().is_some();
            // Loaded by pieces or whole, the result is the whole load's.
            let got = read_csv(f.path(), &opts, 0, 5_000).map(|v| (v.frame, v.problems, v.report));
            let want = whole(f.path(), &opts).map(|v| (v.frame, v.problems, v.report));
            match (got, want) {
                (Ok(g), Ok(w)) => {
                    assert!(g.0.equals_missing(&w.0));
                    assert_eq!((g.1, g.2), (w.1, w.2));
                }
                (g, w) => assert_eq!(format!("{:?}", g.err()), format!("{:?}", w.err())),
            }
            p
        };
        let mut text = Vec::new();
        CsvWriter::new(&mut text).finish(&mut base.clone()).unwrap();
        assert!(planned(&text));
        // Windows line breaks are read by pieces too.
        let crlf = String::from_utf8(text.clone()).unwrap().replace('\n', "\r\n");
        assert!(planned(crlf.as_bytes()));
        // Empty lines at the end of the file are no rows: read by pieces (one inside the file
        // is a blank row, left to the whole load, below).
        for end in ["\n\n\n", "\r\n\n"] {
            let mut t = text.clone();
            t.extend_from_slice(end.as_bytes());
            assert!(planned(&t), "{end:?}");
        }
        // A quote anywhere.
        let quoted = String::from_utf8(text.clone()).unwrap().replacen("@synthetic", "\"@synthetic\"", 1);
        assert!(!planned(quoted.as_bytes()));
        // A record with a field too many, one too few, a blank line: the first pass, which reads
        // a few columns, may not see it; the piece's fast reader declines it, and the whole load
        // (the record reader) decides, with its rejects (`planned` compares the loads).
        let lines: Vec<&str> = std::str::from_utf8(&text).unwrap().lines().collect();
        for (k, bad) in [(900, format!("{},extra", lines[900])), (700, "S700,tiktok".to_string()), (400, String::new())]
        {
            let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
            l[k] = bad;
            planned(format!("{}\n", l.join("\n")).as_bytes());
        }
        // A missing case id; every status unknown.
        let gap = base
            .clone()
            .lazy()
            .with_column(when(col(CASE_ID).eq(lit("S7"))).then(lit(NULL)).otherwise(col(CASE_ID)).alias(CASE_ID))
            .collect()
            .unwrap();
        let unknown = base.clone().lazy().with_column(lit("unknown").alias(STATUS)).collect().unwrap();
        for df in [gap, unknown] {
            let mut t = Vec::new();
            CsvWriter::new(&mut t).finish(&mut df.clone()).unwrap();
            assert!(!planned(&t));
        }
    }
}
