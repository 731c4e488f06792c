import { MAX_TEXT_EVENT_LENGTH } from '../../../protocol';

/**
 * Splits text into pieces of at most `max` UTF-16 code units (the protocol's limit for one
 * `text` event), never between the two halves of a surrogate pair, so an emoji or any
 * character outside the BMP arrives whole. Joining the pieces gives the text back exactly.
 */
export function splitText(text: string, max: number = MAX_TEXT_EVENT_LENGTH): string[] {
  if (max < 2) throw new RangeError('max must be at least 2 (one surrogate pair)');
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
