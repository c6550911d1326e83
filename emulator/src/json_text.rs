//! Escaping text into a JSON string, the one loop both of the emulator's JSON writers use:
//! the service's answers (as AWS's serializer writes them) and UNLOAD's JSON files (as
//! Hive's JsonSerDe, through Jackson, writes them). They differ only in how they spell
//! control characters, so each names its [`Escapes`].

/// How a writer spells the control characters other than tab, newline and return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escapes {
    /// AWS's service answers: `\u00xx` in lower-case hex for all of them.
    Aws,
    /// Jackson: `\b` and `\f` short, the others `\u00XX` in upper-case hex.
    Jackson,
}

/// Appends `bytes` (UTF-8) to a JSON string being written, escaped: `"` and `\` with a
/// backslash, `\t \n \r` short, other control characters as `escapes` spells them,
/// everything else as it is.
pub(crate) fn escape_json(bytes: &[u8], out: &mut Vec<u8>, escapes: Escapes) {
    let hex: &[u8; 16] = match escapes {
        Escapes::Aws => b"0123456789abcdef",
        Escapes::Jackson => b"0123456789ABCDEF",
    };
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match (b, escapes) {
            (b'"', _) => b"\\\"",
            (b'\\', _) => b"\\\\",
            (b'\n', _) => b"\\n",
            (b'\r', _) => b"\\r",
            (b'\t', _) => b"\\t",
            (0x08, Escapes::Jackson) => b"\\b",
            (0x0c, Escapes::Jackson) => b"\\f",
            (0..=0x1f, _) => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                hex[usize::from(b >> 4)],
                hex[usize::from(b & 0xf)],
            ]);
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str, escapes: Escapes) -> String {
        let mut out = Vec::new();
        escape_json(s.as_bytes(), &mut out, escapes);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_writer_spells_control_characters_its_own_way() {
        let text = "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}é";
        assert_eq!(
            escaped(text, Escapes::Aws),
            r#"a\"b\\c\nd\re\tf\u0008g\u000ch\u0001i\u001fé"#
        );
        assert_eq!(
            escaped(text, Escapes::Jackson),
            r#"a\"b\\c\nd\re\tf\bg\fh\u0001i\u001Fé"#
        );
        // Either way the text is JSON that reads back as itself.
        for escapes in [Escapes::Aws, Escapes::Jackson] {
            let json = format!("\"{}\"", escaped(text, escapes));
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
        }
    }
}
