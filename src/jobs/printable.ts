/**
 * Text from the file system shown to a person: a file may be named with a newline, a terminal escape sequence
 * (which could rewrite the screen, or the lines above it) or a right-to-left override. Table output and messages
 * show such characters as escapes, so each row stays one line and says what the name really is.
 */

// C0 controls, DEL, C1 controls, and the bidirectional controls that reorder what follows them
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** `s` with control and bidirectional characters as escapes (`\n`, `\e`, `\x07`, `\u202e`); other text as it is. */
export function printablePath(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
}
