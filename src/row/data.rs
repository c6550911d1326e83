//! How a [`Row`](super::Row) holds its values (Athena's `Row.Data`, one `Datum` per
//! column): as one `Option<String>` per column, or packed into one buffer.
//!
//! Rows parsed from a result file are packed: the text of all values in one `Box<str>`
//! and the end of each beside it (inside the row up to [`INLINE_ENDS`] columns, else in
//! a `Box<[u32]>`): one or two allocations a row whatever its number of columns,
//! against one per value and one for the `Vec` unpacked. At a million rows a
//! second and more, allocating and freeing one `String` per value was a large part of
//! the file path's time (BENCHMARKS.md, "Read paths"). Rows from `GetQueryResults`
//! stay unpacked: the SDK hands over one `String` per value already, and moving them
//! costs less than copying them into one buffer.

use std::sync::OnceLock;

/// The top bit of an end marks a NULL (whose text is empty).
const NULL: u32 = 1 << 31;

/// Rows of up to this many columns keep their ends inside the row, so that they take
/// one allocation (the text) instead of two: the five CloudFront columns of the
/// benchmarks fit, and the ends take 32 bytes instead of a 16-byte `Box<[u32]>` (a
/// `Row` is 96 bytes, by `size_of`; 40 with only `Vec<Option<String>>` inside).
const INLINE_ENDS: usize = 6;

/// The values of one row.
#[derive(Clone)]
pub(crate) enum Data {
    /// One `Option<String>` per column.
    Strings(Vec<Option<String>>),
    /// One buffer for all values.
    Packed(Packed),
}

/// All values of a row in one buffer; see the module docs.
#[derive(Clone)]
pub(crate) struct Packed {
    text: Box<str>,
    /// Per value, the end of its text in `text` (its start is the previous end), with
    /// [`NULL`] set for NULL.
    ends: Ends,
    /// The values as `Option<String>`s, made on the first call of
    /// [`Row::values`](super::Row::values), which lends them out as a slice.
    strings: OnceLock<Vec<Option<String>>>,
}

impl Data {
    /// The number of values.
    pub(crate) fn len(&self) -> usize {
        match self {
            Data::Strings(values) => values.len(),
            Data::Packed(packed) => packed.ends.as_slice().len(),
        }
    }

    /// The text of value `index`: `None` for NULL and past the last value.
    pub(crate) fn text(&self, index: usize) -> Option<&str> {
        match self {
            Data::Strings(values) => values.get(index).and_then(Option::as_deref),
            Data::Packed(packed) => packed.text(index),
        }
    }

    /// Every value's text, in column order.
    pub(crate) fn texts(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|i| self.text(i))
    }

    /// The values as `Option<String>`s, borrowed.
    pub(crate) fn strings(&self) -> &[Option<String>] {
        match self {
            Data::Strings(values) => values,
            Data::Packed(packed) => packed
                .strings
                .get_or_init(|| self.texts().map(|t| t.map(str::to_owned)).collect()),
        }
    }

    /// The values as `Option<String>`s, taken.
    pub(crate) fn into_strings(self) -> Vec<Option<String>> {
        match self {
            Data::Strings(values) => values,
            Data::Packed(mut packed) => match packed.strings.take() {
                Some(values) => values,
                None => Data::Packed(packed).strings().to_vec(),
            },
        }
    }
}

impl Packed {
    fn text(&self, index: usize) -> Option<&str> {
        value_at(&self.text, self.ends.as_slice(), index)
    }
}

/// Value `index` of packed `text` with these `ends`: `None` for NULL and past the last.
fn value_at<'t>(text: &'t str, ends: &[u32], index: usize) -> Option<&'t str> {
    let end = *ends.get(index)?;
    if end & NULL != 0 {
        return None;
    }
    let start = match index {
        0 => 0,
        _ => ends[index - 1] & !NULL,
    };
    // The bounds were taken from whole `&str`s pushed one after another, so they lie
    // on character boundaries; `get` keeps a bug from being a panic.
    text.get(start as usize..end as usize)
}

/// The ends of a packed row's values: inside the row when they are few.
#[derive(Clone)]
enum Ends {
    Inline { len: u8, ends: [u32; INLINE_ENDS] },
    Heap(Box<[u32]>),
}

impl Ends {
    fn new(ends: &[u32]) -> Self {
        if ends.len() > INLINE_ENDS {
            return Ends::Heap(ends.into());
        }
        let mut inline = [0; INLINE_ENDS];
        inline[..ends.len()].copy_from_slice(ends);
        Ends::Inline {
            // At most INLINE_ENDS, checked above.
            len: ends.len() as u8,
            ends: inline,
        }
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            Ends::Inline { len, ends } => &ends[..usize::from(*len)],
            Ends::Heap(ends) => ends,
        }
    }
}

/// Packs the values of rows one after another, reusing its buffers between rows.
#[derive(Debug)]
pub(crate) struct Packer {
    text: String,
    ends: Vec<u32>,
    /// The row's text outgrew `limit`, what an end can say: it is kept unpacked.
    strings: Option<Vec<Option<String>>>,
    limit: usize,
}

impl Default for Packer {
    fn default() -> Self {
        Packer {
            text: String::new(),
            ends: Vec::new(),
            strings: None,
            limit: NULL as usize - 1,
        }
    }
}

impl Packer {
    /// Adds the next value of the row.
    pub(crate) fn push(&mut self, value: Option<&str>) {
        if let Some(strings) = &mut self.strings {
            strings.push(value.map(str::to_owned));
            return;
        }
        let end = self.text.len() + value.map_or(0, str::len);
        match u32::try_from(end) {
            Ok(end) if end as usize <= self.limit => {
                self.text.push_str(value.unwrap_or(""));
                self.ends
                    .push(if value.is_some() { end } else { end | NULL });
            }
            _ => {
                // Rows of 2 GiB and more do not come from Athena; keep them correct
                // rather than refuse them.
                let mut strings: Vec<Option<String>> = self.row_texts().collect();
                strings.push(value.map(str::to_owned));
                self.strings = Some(strings);
            }
        }
    }

    /// The values pushed since the last call, as one row's data.
    pub(crate) fn finish_row(&mut self) -> Data {
        if let Some(strings) = self.strings.take() {
            self.text.clear();
            self.ends.clear();
            return Data::Strings(strings);
        }
        let data = Data::Packed(Packed {
            text: self.text.as_str().into(),
            ends: Ends::new(&self.ends),
            strings: OnceLock::new(),
        });
        self.text.clear();
        self.ends.clear();
        data
    }

    fn row_texts(&self) -> impl Iterator<Item = Option<String>> + '_ {
        (0..self.ends.len()).map(|i| value_at(&self.text, &self.ends, i).map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(values: &[Option<&str>]) -> Data {
        let mut packer = Packer::default();
        for v in values {
            packer.push(*v);
        }
        packer.finish_row()
    }

    #[test]
    fn packed_values_read_back_as_pushed_with_null_apart_from_empty() {
        let values = [Some("/a"), None, Some(""), Some("é\"x"), None, Some("")];
        let data = packed(&values);
        assert!(matches!(data, Data::Packed(_)));
        assert_eq!(data.len(), 6);
        assert_eq!(data.texts().collect::<Vec<_>>(), values);
        assert_eq!(data.text(6), None, "past the last value");
        let strings: Vec<Option<String>> = values.iter().map(|v| v.map(Into::into)).collect();
        assert_eq!(data.strings(), strings.as_slice());
        assert_eq!(data.clone().into_strings(), strings);
        assert_eq!(packed(&[]).len(), 0);
        // More values than fit inside the row.
        let many: Vec<Option<String>> = (0..=INLINE_ENDS + 2)
            .map(|i| (i % 3 != 1).then(|| "v".repeat(i)))
            .collect();
        let many_texts: Vec<Option<&str>> = many.iter().map(Option::as_deref).collect();
        let data = packed(&many_texts);
        assert_eq!(data.texts().collect::<Vec<_>>(), many_texts);
        assert_eq!(data.into_strings(), many);
        assert_eq!(packed(&[None]).texts().collect::<Vec<_>>(), [None]);
    }

    #[test]
    fn a_row_too_long_to_pack_is_kept_as_strings() {
        // The limit is 2 GiB; a small one takes the same path.
        let mut packer = Packer {
            limit: 4,
            ..Packer::default()
        };
        let values = [Some("ab"), None, Some("cde"), Some("f")];
        for v in values {
            packer.push(v);
        }
        let data = packer.finish_row();
        assert!(matches!(data, Data::Strings(_)));
        assert_eq!(data.texts().collect::<Vec<_>>(), values);
        // The next row starts packed again.
        packer.push(Some("g"));
        let next = packer.finish_row();
        assert!(matches!(next, Data::Packed(_)));
        assert_eq!(next.texts().collect::<Vec<_>>(), [Some("g")]);
    }

    #[test]
    fn the_packer_starts_each_row_afresh() {
        let mut packer = Packer::default();
        packer.push(Some("abc"));
        packer.push(None);
        let first = packer.finish_row();
        packer.push(Some("d"));
        let second = packer.finish_row();
        assert_eq!(first.texts().collect::<Vec<_>>(), [Some("abc"), None]);
        assert_eq!(second.texts().collect::<Vec<_>>(), [Some("d")]);
    }
}
