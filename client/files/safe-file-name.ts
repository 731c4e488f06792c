/**
 * A name the technician gave a file, made safe to save in the customer's Downloads folder
 * on Linux and Windows alike: only its last path component (`../../x` is `x`), no
 * character a file system refuses or a shell or Explorer treats specially, no device name
 * of Windows (`CON`, `nul.txt`, `COM1`), no leading dot (a hidden file the customer would
 * not see) and no trailing dot or space (Windows drops them), at most MAX_SAFE_NAME_BYTES
 * of UTF-8 with the extension kept. Never empty.
 */
export const MAX_SAFE_NAME_BYTES = 200;
const FALLBACK_NAME = 'archivo';

/** Characters refused on Windows, and the control characters everywhere (C0, DEL, C1), and bidi overrides that disguise an extension. */
const UNSAFE_CHARACTERS = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/iu;

export function safeFileName(hostile: string): string {
  // The last component, whichever separator the sender's system uses.
  const last = hostile.split(/[/\\]/u).pop() ?? '';
  let name = last.normalize('NFC').replace(UNSAFE_CHARACTERS, '_');
  name = name.replace(/^[.\s]+/u, '').replace(/[.\s]+$/u, '');
  if (name === '') return FALLBACK_NAME;
  // Windows refuses a device name with any extension too (`con.txt`), and ignores what follows the first dot to decide.
  const stem = name.split('.')[0]!.trimEnd();
  if (WINDOWS_DEVICE.test(stem)) name = `_${name}`;
  return shorten(name, MAX_SAFE_NAME_BYTES);
}

/** `name` cut to `maxBytes` of UTF-8, keeping a short extension, never splitting a character. */
export function shorten(name: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(name).length <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const budget = maxBytes - encoder.encode(extension).length;
  let stem = '';
  for (const character of name.slice(0, name.length - extension.length)) {
    if (encoder.encode(stem + character).length > budget) break;
    stem += character;
  }
  return `${stem.trimEnd() || FALLBACK_NAME}${extension}`;
}

/** `report.pdf` → `report (2).pdf`: the n-th name tried when the first one is taken. */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return shorten(`${stem} (${n})${extension}`, MAX_SAFE_NAME_BYTES + 8);
}
