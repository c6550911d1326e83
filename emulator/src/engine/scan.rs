//! DataScannedInBytes: every query runs with its own view of the local file system that
//! counts the bytes handed to DataFusion's readers.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SessionState;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::object_store::local::LocalFileSystem;
use datafusion::object_store::path::Path;
use datafusion::object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use futures::future::ready;
use futures::stream::{BoxStream, StreamExt};

mod codec;
mod text_files;

pub(crate) use text_files::{TextFilesTable, TextRead};

/// `state` with its own runtime whose `file://` store adds the bytes it serves to `counter`.
pub(crate) fn counting(state: SessionState, counter: Arc<AtomicU64>) -> SessionState {
    let runtime = match RuntimeEnvBuilder::new().build_arc() {
        Ok(rt) => rt,
        Err(_) => return state,
    };
    let store = CountingStore {
        inner: LocalFileSystem::new(),
        counter,
    };
    runtime.register_object_store(ObjectStoreUrl::local_filesystem().as_ref(), Arc::new(store));
    SessionStateBuilder::new_from_existing(state)
        .with_runtime_env(runtime)
        .build()
}

/// The local file system, counting the bytes of every read.
#[derive(Debug)]
struct CountingStore {
    inner: LocalFileSystem,
    counter: Arc<AtomicU64>,
}

/// Hive and Athena skip files and directories whose name starts with `_` or `.`
/// (`_SUCCESS`, `.crc`, ...) below a table's location.
fn hidden(prefix: Option<&Path>, path: &Path) -> bool {
    let is_hidden = |p: &str| p.starts_with('_') || p.starts_with('.');
    match prefix {
        Some(prefix) => match path.prefix_match(prefix) {
            Some(mut rest) => rest.any(|p| is_hidden(p.as_ref())),
            None => false,
        },
        None => path.filename().is_some_and(is_hidden),
    }
}

impl fmt::Display for CountingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Counting({})", self.inner)
    }
}

impl CountingStore {
    fn add(&self, n: u64) {
        self.counter.fetch_add(n, Ordering::Relaxed);
    }
}

#[async_trait]
impl ObjectStore for CountingStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let head = options.head;
        let result = self.inner.get_opts(location, options).await?;
        if !head {
            self.add(result.range.end.saturating_sub(result.range.start));
        }
        Ok(result)
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let out = self.inner.get_ranges(location, ranges).await?;
        self.add(out.iter().map(|b| b.len() as u64).sum());
        Ok(out)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let prefix = prefix.cloned();
        self.inner
            .list(prefix.as_ref())
            .filter(move |m| {
                ready(
                    m.as_ref()
                        .map_or(true, |m| !hidden(prefix.as_ref(), &m.location)),
                )
            })
            .boxed()
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        let prefix = prefix.cloned();
        self.inner
            .list_with_offset(prefix.as_ref(), offset)
            .filter(move |m| {
                ready(
                    m.as_ref()
                        .map_or(true, |m| !hidden(prefix.as_ref(), &m.location)),
                )
            })
            .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let mut result = self.inner.list_with_delimiter(prefix).await?;
        result.objects.retain(|m| !hidden(prefix, &m.location));
        result.common_prefixes.retain(|p| !hidden(prefix, p));
        Ok(result)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
