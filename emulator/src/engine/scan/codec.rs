//! Which compression a table file has, chosen as Athena chooses it: by the last extension
//! of the file's name (docs/athena.md, "Result files": a file without a known extension
//! is plain text, `.GZ` is not `.gz`), and the decoder that reads it.
//!
//! The extensions are those of Athena engine 3's codec list (Trino's Hadoop codecs):
//! `.gz`, `.bz2`, `.zst`, `.lz4`, `.snappy`, `.deflate`, and `.lzo`/`.lzo_deflate`, which
//! the emulator cannot read. `.lz4` and `.snappy` are Hadoop's block framing
//! (`BlockCompressorStream`), not the LZ4 frame or Snappy framing formats; `.deflate` is
//! Hadoop's `DefaultCodec`, a zlib stream.

use std::io::{self, Read};

/// The compression of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// No known compression extension: read as it is.
    Plain,
    /// `.gz`: gzip, members concatenated as `cat a.gz b.gz` makes them.
    Gzip,
    /// `.bz2`: bzip2, streams concatenated.
    Bzip2,
    /// `.zst`: Zstandard frames.
    Zstd,
    /// `.lz4`: Hadoop's block framing of raw LZ4 blocks.
    Lz4Hadoop,
    /// `.snappy`: Hadoop's block framing of raw Snappy blocks.
    SnappyHadoop,
    /// `.deflate`: a zlib stream (Hadoop's DefaultCodec).
    Deflate,
    /// `.lzo`, `.lzo_deflate`: Athena reads LZO; no maintained Rust crate does.
    Lzo,
}

impl Codec {
    /// The codec of a file named `name` (only the last extension counts, case-sensitive).
    pub(crate) fn for_file(name: &str) -> Codec {
        let Some(dot) = name.rfind('.') else {
            return Codec::Plain;
        };
        match &name[dot..] {
            ".gz" => Codec::Gzip,
            ".bz2" => Codec::Bzip2,
            ".zst" => Codec::Zstd,
            ".lz4" => Codec::Lz4Hadoop,
            ".snappy" => Codec::SnappyHadoop,
            ".deflate" => Codec::Deflate,
            ".lzo" | ".lzo_deflate" => Codec::Lzo,
            _ => Codec::Plain,
        }
    }

    /// The name Athena's documentation gives the codec.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Codec::Plain => "uncompressed",
            Codec::Gzip => "GZIP",
            Codec::Bzip2 => "BZIP2",
            Codec::Zstd => "ZSTD",
            Codec::Lz4Hadoop => "LZ4",
            Codec::SnappyHadoop => "SNAPPY",
            Codec::Deflate => "DEFLATE",
            Codec::Lzo => "LZO",
        }
    }

    /// A reader of the decompressed bytes of `input`; `None` for a codec the emulator
    /// cannot read.
    pub(crate) fn decoder<R: Read + Send + 'static>(
        self,
        input: R,
    ) -> Option<io::Result<Box<dyn Read + Send>>> {
        let reader: Box<dyn Read + Send> = match self {
            Codec::Plain => Box::new(input),
            Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
            Codec::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
            Codec::Zstd => match zstd::stream::read::Decoder::new(input) {
                Ok(d) => Box::new(d),
                Err(e) => return Some(Err(e)),
            },
            Codec::Lz4Hadoop => Box::new(HadoopBlocks::new(input, Block::Lz4)),
            Codec::SnappyHadoop => Box::new(HadoopBlocks::new(input, Block::Snappy)),
            Codec::Deflate => Box::new(flate2::read::ZlibDecoder::new(input)),
            Codec::Lzo => return None,
        };
        Some(Ok(reader))
    }
}

/// The raw block codec inside Hadoop's block framing.
#[derive(Debug, Clone, Copy)]
enum Block {
    Lz4,
    Snappy,
}

/// A block longer than this is taken for corrupt data rather than allocated: Hadoop's
/// writers use blocks of 256 KiB by default.
const MAX_HADOOP_BLOCK: usize = 64 << 20;

/// Hadoop's `BlockCompressorStream` framing: blocks, each a big-endian u32 of its
/// uncompressed length, then chunks of a big-endian u32 compressed length and the
/// compressed bytes, until the block's uncompressed length is reached.
struct HadoopBlocks<R> {
    input: R,
    block: Block,
    /// Uncompressed bytes of the current block not yet produced by its chunks.
    block_left: usize,
    /// Decompressed bytes of the last chunk, and how many of them were handed out.
    out: Vec<u8>,
    pos: usize,
    compressed: Vec<u8>,
}

impl<R: Read> HadoopBlocks<R> {
    fn new(input: R, block: Block) -> Self {
        HadoopBlocks {
            input,
            block,
            block_left: 0,
            out: Vec::new(),
            pos: 0,
            compressed: Vec::new(),
        }
    }

    /// A big-endian u32, or `None` at a clean end of the input.
    fn read_len(&mut self) -> io::Result<Option<usize>> {
        let mut buf = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match self.input.read(&mut buf[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(corrupt("the stream ends inside a length")),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let n = u32::from_be_bytes(buf) as usize;
        if n > MAX_HADOOP_BLOCK {
            return Err(corrupt("a block length is larger than 64 MiB"));
        }
        Ok(Some(n))
    }

    /// Decompresses the next chunk into `out`; false at the end of the input.
    fn next_chunk(&mut self) -> io::Result<bool> {
        while self.block_left == 0 {
            match self.read_len()? {
                None => return Ok(false),
                Some(n) => self.block_left = n,
            }
        }
        let Some(len) = self.read_len()? else {
            return Err(corrupt("the stream ends inside a block"));
        };
        self.compressed.resize(len, 0);
        self.input
            .read_exact(&mut self.compressed)
            .map_err(|_| corrupt("the stream ends inside a chunk"))?;
        self.out.clear();
        self.out.resize(self.block_left, 0);
        let written = match self.block {
            Block::Lz4 => lz4_flex::block::decompress_into(&self.compressed, &mut self.out)
                .map_err(|e| corrupt(&format!("LZ4: {e}")))?,
            Block::Snappy => snap::raw::Decoder::new()
                .decompress(&self.compressed, &mut self.out)
                .map_err(|e| corrupt(&format!("Snappy: {e}")))?,
        };
        self.out.truncate(written);
        self.block_left -= written;
        self.pos = 0;
        Ok(true)
    }
}

impl<R: Read> Read for HadoopBlocks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if !self.next_chunk()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn corrupt(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn decode(codec: Codec, bytes: Vec<u8>) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        codec
            .decoder(io::Cursor::new(bytes))
            .expect("readable")?
            .read_to_end(&mut out)?;
        Ok(out)
    }

    /// Hadoop's framing of `data`, cut into blocks of `block` bytes, one chunk each.
    fn hadoop(data: &[u8], block: usize, compress: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let mut out = Vec::new();
        for part in data.chunks(block) {
            let c = compress(part);
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(&(c.len() as u32).to_be_bytes());
            out.extend_from_slice(&c);
        }
        out
    }

    const TEXT: &[u8] = b"2024-06-01\t/index.html\t200\n2024-06-01\t/a.css\t304\n";

    #[test]
    fn the_last_extension_decides_case_sensitively() {
        assert_eq!(Codec::for_file("log.gz"), Codec::Gzip);
        assert_eq!(Codec::for_file("log.tsv.gz"), Codec::Gzip);
        assert_eq!(Codec::for_file("log.gz.txt"), Codec::Plain);
        assert_eq!(Codec::for_file("log.GZ"), Codec::Plain);
        assert_eq!(Codec::for_file("log"), Codec::Plain);
        assert_eq!(Codec::for_file("x.bz2"), Codec::Bzip2);
        assert_eq!(Codec::for_file("x.zst"), Codec::Zstd);
        assert_eq!(Codec::for_file("x.lz4"), Codec::Lz4Hadoop);
        assert_eq!(Codec::for_file("x.snappy"), Codec::SnappyHadoop);
        assert_eq!(Codec::for_file("x.deflate"), Codec::Deflate);
        assert_eq!(Codec::for_file("x.lzo_deflate"), Codec::Lzo);
    }

    #[test]
    fn concatenated_gzip_members_read_whole() {
        let mut bytes = Vec::new();
        for half in TEXT.split_inclusive(|&b| b == b'\n') {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(half).unwrap();
            bytes.extend(e.finish().unwrap());
        }
        assert_eq!(decode(Codec::Gzip, bytes).unwrap(), TEXT);
    }

    #[test]
    fn bzip2_zstd_and_zlib_read() {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(TEXT).unwrap();
        assert_eq!(decode(Codec::Bzip2, e.finish().unwrap()).unwrap(), TEXT);
        let z = zstd::encode_all(TEXT, 3).unwrap();
        assert_eq!(decode(Codec::Zstd, z).unwrap(), TEXT);
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(TEXT).unwrap();
        assert_eq!(decode(Codec::Deflate, e.finish().unwrap()).unwrap(), TEXT);
    }

    #[test]
    fn hadoop_framed_lz4_and_snappy_read_over_several_blocks() {
        let data: Vec<u8> = TEXT.repeat(50);
        let lz4 = hadoop(&data, 100, lz4_flex::block::compress);
        assert_eq!(decode(Codec::Lz4Hadoop, lz4).unwrap(), data);
        let snappy = hadoop(&data, 100, |b| {
            snap::raw::Encoder::new().compress_vec(b).unwrap()
        });
        assert_eq!(decode(Codec::SnappyHadoop, snappy).unwrap(), data);
    }

    #[test]
    fn corrupt_or_truncated_input_is_an_error_not_an_empty_file() {
        assert!(decode(Codec::Gzip, b"not gzip at all".to_vec()).is_err());
        let mut lz4 = hadoop(TEXT, 100, lz4_flex::block::compress);
        lz4.truncate(lz4.len() - 3);
        assert!(decode(Codec::Lz4Hadoop, lz4).is_err());
        assert!(
            decode(
                Codec::SnappyHadoop,
                vec![0, 0, 0, 9, 0, 0, 0, 4, 1, 2, 3, 4]
            )
            .is_err()
        );
        assert!(decode(Codec::Zstd, b"\x28\xb5\x2f\xfdgarbage".to_vec()).is_err());
        assert!(Codec::Lzo.decoder(io::Cursor::new(Vec::new())).is_none());
    }
}
