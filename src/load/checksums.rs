//! Parquet page checksums.
//!
//! A Parquet writer may store a CRC-32 of every page (pyarrow's `write_page_checksum=True`,
//! parquet-mr's `parquet.page.write-checksum.enabled`); polars does not check them, so a file
//! corrupted in storage or transfer could load wrong values silently. [`verify_parquet`] walks the
//! page headers of every column chunk and compares each stored checksum with the page's bytes.
//! Pages written without a checksum cannot be checked (the load report does not claim they were).

use std::io::Cursor;

use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
use polars_parquet_format::{ConvertedType, FileMetaData, LogicalType, PageHeader};

/// Largest thrift structure read (the metadata of very wide files is a few MB).
const MAX_THRIFT: usize = 64 << 20;

/// What the walk found: pages checked, and the first page whose checksum did not match (column
/// path, row group, byte offset).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Checked {
    pub pages_checked: u64,
    pub mismatch: Option<(String, usize, u64)>,
}

/// Verifies the stored page checksums of a Parquet file held in memory. A file whose footer or
/// page headers cannot be walked is left to polars, which reports its own error.
pub(crate) fn verify_parquet(bytes: &[u8]) -> Checked {
    let mut out = Checked::default();
    let Some(meta) = footer(bytes) else { return out };
    for (g, rg) in meta.row_groups.iter().enumerate() {
        for chunk in &rg.columns {
            let Some(m) = &chunk.meta_data else { continue };
            // A dictionary page, when there is one, comes first (offset 0 means none in some writers).
            let start = match m.dictionary_page_offset {
                Some(d) if d > 0 && d < m.data_page_offset => d,
                _ => m.data_page_offset,
            };
            let (Ok(start), Ok(len)) = (u64::try_from(start), u64::try_from(m.total_compressed_size)) else { continue };
            let end = start.saturating_add(len).min(bytes.len() as u64);
            let mut pos = start;
            while pos < end {
                let mut cur = Cursor::new(&bytes[pos as usize..end as usize]);
                let Ok(header) =
                    PageHeader::read_from_in_protocol(&mut TCompactInputProtocol::new(&mut cur, MAX_THRIFT))
                else {
                    break;
                };
                let body_start = pos + cur.position();
                let Ok(size) = u64::try_from(header.compressed_page_size) else { break };
                let body_end = body_start.saturating_add(size);
                if body_end > end {
                    break;
                }
                if let Some(crc) = header.crc {
                    out.pages_checked += 1;
                    if crc32fast::hash(&bytes[body_start as usize..body_end as usize]) != crc as u32 {
                        out.mismatch = Some((m.path_in_schema.join("."), g, pos));
                        return out;
                    }
                }
                pos = body_end;
            }
        }
    }
    out
}

/// The top-level columns of a Parquet file stored as decimals, which this build of polars cannot
/// read (it would panic: the `dtype-decimal` feature is not built, to keep the build small).
pub(crate) fn decimal_columns(bytes: &[u8]) -> Vec<String> {
    let Some(meta) = footer(bytes) else { return Vec::new() };
    let mut out = Vec::new();
    // The schema is flattened depth first: the root, then each top-level field and its children.
    let mut i = 1;
    while i < meta.schema.len() {
        let e = &meta.schema[i];
        let decimal =
            e.converted_type == Some(ConvertedType::DECIMAL) || matches!(e.logical_type, Some(LogicalType::DECIMAL(_)));
        if decimal {
            out.push(e.name.clone());
        }
        i += 1 + descendants(&meta.schema, i);
    }
    out
}

/// How many elements below `i` belong to it.
fn descendants(schema: &[polars_parquet_format::SchemaElement], i: usize) -> usize {
    let mut n = 0;
    let mut j = i + 1;
    for _ in 0..schema[i].num_children.unwrap_or(0).max(0) {
        if j >= schema.len() {
            break;
        }
        let d = 1 + descendants(schema, j);
        n += d;
        j += d;
    }
    n
}

fn footer(bytes: &[u8]) -> Option<FileMetaData> {
    let n = bytes.len();
    if n < 12 || &bytes[n - 4..] != b"PAR1" {
        return None;
    }
    let len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().ok()?) as usize;
    let start = n.checked_sub(8 + len)?;
    let mut cur = Cursor::new(&bytes[start..n - 8]);
    FileMetaData::read_from_in_protocol(&mut TCompactInputProtocol::new(&mut cur, MAX_THRIFT)).ok()
}
