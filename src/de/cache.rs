//! What is worked out once per result, not per row: each column's type, and for
//! each struct type read from it, the column of each field. Cached per thread,
//! keyed by the result's shared metadata, so a row costs no name lookups.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::row::{ResultSetMetadata, Row};
use crate::value::{AthenaType, UNKNOWN};

/// What is worked out once per result: each column's type, and for each struct
/// type read from it, the column of each field.
pub(super) struct Meta {
    types: Vec<AthenaType>,
    structs: RefCell<Vec<StructMap>>,
}

struct StructMap {
    /// The `FIELDS` slice that serde's derive passes; compared by address.
    fields: &'static [&'static str],
    columns: Rc<[Option<usize>]>,
}

/// How many results' metadata a thread keeps (most recently used first).
const CACHE_SIZE: usize = 8;

thread_local! {
    // The `Arc` is kept so that its address cannot be reused by another result
    // while the entry exists.
    static CACHE: RefCell<Vec<(Arc<ResultSetMetadata>, Rc<Meta>)>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn meta_of(row: &Row) -> Rc<Meta> {
    let metadata = row.metadata();
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(pos) = cache.iter().position(|(m, _)| Arc::ptr_eq(m, metadata)) {
            if pos != 0 {
                let entry = cache.remove(pos);
                cache.insert(0, entry);
            }
            return Rc::clone(&cache[0].1);
        }
        let meta = Rc::new(Meta {
            types: metadata
                .columns()
                .iter()
                .map(AthenaType::of_column)
                .collect(),
            structs: RefCell::new(Vec::new()),
        });
        cache.insert(0, (Arc::clone(metadata), Rc::clone(&meta)));
        cache.truncate(CACHE_SIZE);
        meta
    })
}

impl Meta {
    /// The type of the column at `index` (unknown for a value beyond the columns,
    /// which only a row built by hand can have).
    pub(super) fn type_of(&self, index: usize) -> &AthenaType {
        self.types.get(index).unwrap_or(&UNKNOWN)
    }

    pub(super) fn struct_columns(
        &self,
        metadata: &ResultSetMetadata,
        fields: &'static [&'static str],
    ) -> Rc<[Option<usize>]> {
        let mut structs = self.structs.borrow_mut();
        if let Some(m) = structs.iter().find(|m| std::ptr::eq(m.fields, fields)) {
            return Rc::clone(&m.columns);
        }
        let columns: Rc<[Option<usize>]> = fields.iter().map(|f| metadata.index_of(f)).collect();
        structs.push(StructMap {
            fields,
            columns: Rc::clone(&columns),
        });
        columns
    }
}
