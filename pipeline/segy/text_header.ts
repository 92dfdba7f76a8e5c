/**
 * The 3200-byte textual file header: EBCDIC/ASCII detection, decoding and
 * encoding, and the end marker of extended textual header stanzas.
 *
 * @module
 */

/** Size of the textual header and of each extended textual header record, bytes. */
export const TEXT_HEADER_BYTES = 3200;

/** Text encoding of a textual header. */
export type TextEncoding = "ebcdic" | "ascii";

// EBCDIC (code page 037) -> ASCII for the printable characters; others map to ".".
const EBCDIC_TO_ASCII = new Uint8Array(256).fill(0x2e);
const ASCII_TO_EBCDIC = new Uint8Array(256).fill(0x4b); // "." for unmapped
(function buildTables() {
  const pairs: [number, string][] = [
    [0x40, " "],
    [0x4a, "["],
    [0x4b, "."],
    [0x4c, "<"],
    [0x4d, "("],
    [0x4e, "+"],
    [0x4f, "|"],
    [0x50, "&"],
    [0x5a, "!"],
    [0x5b, "$"],
    [0x5c, "*"],
    [0x5d, ")"],
    [0x5e, ";"],
    [0x5f, "^"],
    [0x60, "-"],
    [0x61, "/"],
    [0x6a, "|"],
    [0x6b, ","],
    [0x6c, "%"],
    [0x6d, "_"],
    [0x6e, ">"],
    [0x6f, "?"],
    [0x79, "`"],
    [0x7a, ":"],
    [0x7b, "#"],
    [0x7c, "@"],
    [0x7d, "'"],
    [0x7e, "="],
    [0x7f, '"'],
    [0xa1, "~"],
    [0xba, "["],
    [0xbb, "]"],
    [0xc0, "{"],
    [0xd0, "}"],
    [0xe0, "\\"],
  ];
  const runs: [number, string][] = [
    [0x81, "abcdefghi"],
    [0x91, "jklmnopqr"],
    [0xa2, "stuvwxyz"],
    [0xc1, "ABCDEFGHI"],
    [0xd1, "JKLMNOPQR"],
    [0xe2, "STUVWXYZ"],
    [0xf0, "0123456789"],
  ];
  for (const [start, chars] of runs) {
    for (let i = 0; i < chars.length; i++) pairs.push([start + i, chars[i]]);
  }
  // Reverse table first so that the first EBCDIC code listed for a character wins.
  for (let i = pairs.length - 1; i >= 0; i--) {
    ASCII_TO_EBCDIC[pairs[i][1].charCodeAt(0)] = pairs[i][0];
  }
  for (const [code, ch] of pairs) EBCDIC_TO_ASCII[code] = ch.charCodeAt(0);
  EBCDIC_TO_ASCII[0] = 0x20;
  ASCII_TO_EBCDIC[0x20] = 0x40;
})();

function isAsciiText(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ||
    b === 0x20;
}

function isEbcdicText(b: number): boolean {
  return (b >= 0xf0 && b <= 0xf9) || (b >= 0xc1 && b <= 0xc9) || (b >= 0xd1 && b <= 0xd9) ||
    (b >= 0xe2 && b <= 0xe9) || (b >= 0x81 && b <= 0x89) || (b >= 0x91 && b <= 0x99) ||
    (b >= 0xa2 && b <= 0xa9) || b === 0x40;
}

/**
 * Counts letters, digits and spaces of a byte range read as ASCII and as
 * EBCDIC.
 *
 * @param bytes the textual header (or any bytes)
 * @returns how many bytes look like ASCII text and like EBCDIC text
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { textScores } from "./text_header.ts";
 * const s = textScores(new TextEncoder().encode("C 1 CLIENT"));
 * assert(s.ascii === 10 && s.ebcdic === 0);
 * ```
 */
export function textScores(bytes: Uint8Array): { ascii: number; ebcdic: number } {
  let ascii = 0;
  let ebcdic = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (isAsciiText(b)) ascii++;
    if (isEbcdicText(b)) ebcdic++;
  }
  return { ascii, ebcdic };
}

/**
 * Detects whether a textual header is EBCDIC or ASCII (whichever reading
 * gives more letters, digits and spaces; ties go to EBCDIC, the standard).
 *
 * @param bytes the 3200 bytes
 * @returns the encoding
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { detectTextEncoding, encodeEbcdic } from "./text_header.ts";
 * assert(detectTextEncoding(encodeEbcdic("C 1 HELLO")) === "ebcdic");
 * ```
 */
export function detectTextEncoding(bytes: Uint8Array): TextEncoding {
  const { ascii, ebcdic } = textScores(bytes);
  return ascii > ebcdic ? "ascii" : "ebcdic";
}

/**
 * Decodes a textual header into 80-character lines joined by "\n"
 * (non-printable bytes become "." or spaces, NUL becomes a space).
 *
 * @param bytes the header bytes (a multiple of 80 is expected, the rest is kept)
 * @param encoding how the bytes are encoded
 * @returns the text
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { decodeTextHeader, encodeEbcdic } from "./text_header.ts";
 * assert(decodeTextHeader(encodeEbcdic("C 1 A"), "ebcdic") === "C 1 A");
 * ```
 */
export function decodeTextHeader(bytes: Uint8Array, encoding: TextEncoding): string {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (encoding === "ebcdic") out[i] = EBCDIC_TO_ASCII[b];
    else out[i] = b === 0 ? 0x20 : b >= 0x20 && b < 0x7f ? b : 0x2e;
  }
  const text = new TextDecoder("latin1").decode(out);
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 80) lines.push(text.slice(i, i + 80).trimEnd());
  return lines.join("\n");
}

/**
 * Encodes ASCII text as EBCDIC (characters without an EBCDIC code become ".").
 *
 * @param text the text
 * @returns one byte per character
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { encodeEbcdic } from "./text_header.ts";
 * assert(encodeEbcdic("C")[0] === 0xc3);
 * ```
 */
export function encodeEbcdic(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 256 ? ASCII_TO_EBCDIC[c] : 0x4b;
  }
  return out;
}

/**
 * Builds a 3200-byte EBCDIC textual header from text: 40 lines of 80
 * characters, each line padded with spaces or cut; lines beyond 40 are
 * dropped. Lines longer than 80 characters are wrapped.
 *
 * @param text the content, lines separated by "\n"
 * @returns 3200 EBCDIC bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { buildTextHeader, decodeTextHeader } from "./text_header.ts";
 * const bytes = buildTextHeader("C 1 SURVEY X");
 * assert(bytes.length === 3200 && decodeTextHeader(bytes, "ebcdic").startsWith("C 1 SURVEY X"));
 * ```
 */
export function buildTextHeader(text: string): Uint8Array {
  const lines: string[] = [];
  for (const raw of text.replace(/\r/g, "").split("\n")) {
    if (raw.length === 0) lines.push("");
    for (let i = 0; i < raw.length; i += 80) lines.push(raw.slice(i, i + 80));
  }
  const cards = lines.every((line) => line === "" || /^C[ 0-9]/.test(line))
    ? lines.slice(0, 40)
    : toCards(lines);
  const padded = cards.map((line) => line.padEnd(80, " "));
  while (padded.length < 40) padded.push(" ".repeat(80));
  return encodeEbcdic(padded.join(""));
}

/**
 * Free text as SEG-Y rev 1 card images: "C 1 " ... "C38 ", then "C39 SEG Y REV1"
 * and "C40 END TEXTUAL HEADER"; long lines wrap at 76 characters.
 */
function toCards(lines: string[]): string[] {
  const body: string[] = [];
  for (const line of lines) {
    for (let i = 0; i === 0 || i < line.length; i += 76) body.push(line.slice(i, i + 76));
  }
  const cards = body.slice(0, 38).map((line, i) => `C${String(i + 1).padStart(2)} ${line}`);
  while (cards.length < 38) cards.push(`C${String(cards.length + 1).padStart(2)}`);
  cards.push("C39 SEG Y REV1", "C40 END TEXTUAL HEADER");
  return cards;
}

const END_TEXT = "((seg:endtext))";

function normalised(record: Uint8Array, ebcdic: boolean): string {
  let text = "";
  for (let i = 0; i < record.length; i++) {
    const c = ebcdic ? EBCDIC_TO_ASCII[record[i]] : record[i];
    if (c !== 0x20 && c !== 0) text += String.fromCharCode(c);
  }
  return text.toLowerCase();
}

/**
 * Whether an extended textual header record holds the end stanza
 * `((SEG: EndText))` (EBCDIC or ASCII; case and spaces are ignored, as
 * writers vary).
 *
 * @param record one 3200-byte record
 * @returns true for the last extended textual header
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { isEndTextRecord, encodeEbcdic } from "./text_header.ts";
 * assert(isEndTextRecord(encodeEbcdic("((SEG: EndText))")));
 * assert(isEndTextRecord(new TextEncoder().encode("((  seg: endTEXt  ))")));
 * ```
 */
export function isEndTextRecord(record: Uint8Array): boolean {
  return normalised(record, true).includes(END_TEXT) ||
    normalised(record, false).includes(END_TEXT);
}
