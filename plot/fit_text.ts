/**
 * Text that fits a width: long titles wrapped at spaces onto a few lines, and
 * what still does not fit shortened with "..." in the middle (so that both
 * the start, a file name, and the end, the selection, stay readable).
 *
 * @module
 */

import { GLYPH_ADVANCE, textWidth } from "./font.ts";

const ELLIPSIS = "...";

/**
 * `text` shortened to at most `maxWidth` pixels at `scale` by replacing its
 * middle with "..." (unchanged when it fits).
 *
 * @param text the text
 * @param maxWidth the width available, pixels
 * @param scale text scale
 * @returns the text, or a shortened copy whose width is at most maxWidth ("" when not even "..." fits)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { textWidth } from "./font.ts";
 * import { shortenText } from "./fit_text.ts";
 * const short = shortenText("a_very_long_survey_name.sgy: inline 21", 150, 1);
 * assert(short.includes("...") && short.endsWith("21") && textWidth(short, 1) <= 150);
 * ```
 */
export function shortenText(text: string, maxWidth: number, scale: number): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  const chars = [...text];
  const room = Math.floor((maxWidth / scale + 1) / GLYPH_ADVANCE) - ELLIPSIS.length;
  if (room < 0) return "";
  const head = Math.ceil(room / 2);
  const tail = room - head;
  return chars.slice(0, head).join("").trimEnd() + ELLIPSIS +
    (tail > 0 ? chars.slice(chars.length - tail).join("").trimStart() : "");
}

/**
 * `text` wrapped at spaces onto at most `maxLines` lines of at most
 * `maxWidth` pixels; a word longer than a line, or what is left for the last
 * line, is shortened with "..." ({@link shortenText}).
 *
 * @param text the text
 * @param maxWidth the width available, pixels
 * @param scale text scale
 * @param maxLines most lines (at least 1)
 * @returns the lines (one "" line for empty text)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { wrapText } from "./fit_text.ts";
 * const lines = wrapText("survey.sgy: gather at inline 21, crossline 21", 150, 1, 2);
 * assert.deepStrictEqual(lines, ["survey.sgy: gather at", "inline 21, crossline 21"]);
 * ```
 */
export function wrapText(
  text: string,
  maxWidth: number,
  scale: number,
  maxLines = 2,
): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return [""];
  const lines: string[] = [];
  let k = 0;
  while (k < words.length && lines.length < maxLines - 1) {
    let line = words[k++];
    while (k < words.length && textWidth(`${line} ${words[k]}`, scale) <= maxWidth) {
      line += ` ${words[k++]}`;
    }
    lines.push(shortenText(line, maxWidth, scale));
  }
  if (k < words.length) lines.push(shortenText(words.slice(k).join(" "), maxWidth, scale));
  return lines;
}
