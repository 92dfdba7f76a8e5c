/**
 * A built-in 5 x 7 bitmap font for plot labels: digits, upper and lower case
 * letters and the punctuation labels need. Characters it lacks are drawn as
 * a hollow box.
 *
 * @module
 */

import type { Raster, Rgb } from "./raster.ts";
import { fillRect } from "./raster.ts";

/** Glyph width in font pixels. */
export const GLYPH_WIDTH = 5;
/** Glyph height in font pixels. */
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character in font pixels (glyph plus one blank column). */
export const GLYPH_ADVANCE = 6;

/**
 * The glyph table: for each character, the character followed by its 7 rows,
 * top to bottom, each a base-32 digit whose 5 bits are the columns (the most
 * significant bit is the leftmost column).
 */
const GLYPH_TABLE =
  "0ehjlphe14c4444e2eh1248v3v2421he426aiv225vgu11he668guhhe7v1248888ehhehhe9ehhf12c" +
  "AehhvhhhBuhhuhhuCehgggheDsihhhisEvgguggvFvggugggGehgnhhfHhhhvhhhIe44444eJ72222ic" +
  "KhikokihLggggggvMhrllhhhNhhpljhhOehhhhhePuhhugggQehhhlidRuhhukihSfgge11uTv444444" +
  "UhhhhhheVhhhhha4WhhhlllaXhha4ahhYhhha444Zv1248gva00e1fhfbggmphhuc00egghed11djhhf" +
  "e00ehvgef698s888g00fhhhfhggmphhhi40c444ej2062222kggikokilc44444em00qllhhn00mphhh" +
  "o00ehhhep00uhhhuq00fhhhfr00mpgggs00ege1ut88s8896u00hhhjdv00hhha4w00hhllax00ha4ah" +
  "y00hhhhfz00v248v.00000cc-000e000:0cc0cc0/01248g0(2488842)8422248%op248j3,0000c48" +
  "+044v440=00v0v00_000000v[e88888e]e22222e!4444404?eh12404*04lel40'4480000|4444444" +
  "<248g842>8421248";

/** Two more rows below the baseline for the letters that have descenders. */
const DESCENDER_TABLE = "g1ejicpggq11y1e";

const MISSING = [31, 17, 17, 17, 17, 17, 31];

const GLYPHS: Map<string, number[]> = (() => {
  const glyphs = new Map<string, number[]>();
  for (let i = 0; i + 8 <= GLYPH_TABLE.length; i += 8) {
    const rows = [...GLYPH_TABLE.slice(i + 1, i + 8)].map((digit) => parseInt(digit, 32));
    glyphs.set(GLYPH_TABLE[i], rows);
  }
  for (let i = 0; i + 3 <= DESCENDER_TABLE.length; i += 3) {
    const rows = [...DESCENDER_TABLE.slice(i + 1, i + 3)].map((digit) => parseInt(digit, 32));
    glyphs.get(DESCENDER_TABLE[i])?.push(...rows);
  }
  glyphs.set(" ", [0, 0, 0, 0, 0, 0, 0]);
  return glyphs;
})();

/**
 * The row bit masks of a character's glyph (a hollow box when the font
 * lacks it): 7 rows, or 9 for letters with descenders (g, j, p, q, y), whose
 * last two rows hang below the line.
 *
 * @param char one character
 * @returns 7 or 9 numbers, 5 bits each, leftmost column in the highest bit
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { glyphRows } from "./font.ts";
 * assert(glyphRows("-")[3] === 0b01110);
 * ```
 */
export function glyphRows(char: string): readonly number[] {
  return GLYPHS.get(char) ?? MISSING;
}

/**
 * Width in pixels of `text` drawn at `scale` (no trailing blank column).
 *
 * @param text the text
 * @param scale pixels per font pixel
 * @returns the width
 */
export function textWidth(text: string, scale = 1): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * GLYPH_ADVANCE - 1) * scale;
}

/**
 * Height in pixels of one line of text drawn at `scale`.
 *
 * @param scale pixels per font pixel
 * @returns the height
 */
export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale;
}

/** How text runs: left to right, or bottom to top (rotated a quarter turn anticlockwise). */
export type TextDirection = "right" | "up";

/**
 * Draws text whose bounding box has its top-left corner at (x, y). Running
 * "up", the box is `textHeight` wide and `textWidth` tall and the text reads
 * from bottom to top. Descenders reach 2 font pixels beyond the box.
 *
 * @param raster where to draw
 * @param text the text
 * @param x left column of the bounding box
 * @param y top row of the bounding box
 * @param color ink colour
 * @param scale pixels per font pixel (an integer)
 * @param direction "right" (default) or "up"
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { createRaster, getPixel } from "./raster.ts";
 * import { drawText } from "./font.ts";
 * const r = createRaster(10, 10);
 * drawText(r, "1", 0, 0, [0, 0, 0]);
 * assert(getPixel(r, 2, 0)[0] === 0); // the top of the "1"
 * ```
 */
export function drawText(
  raster: Raster,
  text: string,
  x: number,
  y: number,
  color: Rgb,
  scale = 1,
  direction: TextDirection = "right",
): void {
  const length = textWidth(text, scale);
  [...text].forEach((char, k) => {
    const rows = glyphRows(char);
    for (let gy = 0; gy < rows.length; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (((rows[gy] >> (GLYPH_WIDTH - 1 - gx)) & 1) === 0) continue;
        const along = (k * GLYPH_ADVANCE + gx) * scale;
        if (direction === "right") {
          fillRect(raster, x + along, y + gy * scale, scale, scale, color);
        } else {
          fillRect(raster, x + gy * scale, y + length - along - scale, scale, scale, color);
        }
      }
    }
  });
}
