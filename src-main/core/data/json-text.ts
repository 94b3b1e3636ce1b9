/** Helpers that turn JSON.parse failures into "line:column: reason" a person can act on. */

export interface TextPosition {
  line: number;
  column: number;
}

/** Where `offset` (a UTF-16 index into `text`) lands, given that `text` starts at `start`. */
export function positionIn(text: string, offset: number, start: TextPosition): TextPosition {
  let { line, column } = start;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

export interface JsonFailure {
  /** offset in the parsed text, or the text's length when the input ended early */
  offset: number;
  reason: string;
}

/** Parses JSON or explains the failure with an offset (V8 messages carry "at position N"). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; failure: JsonFailure } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /at position (\d+)/.exec(message);
    const reason = message
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s*in JSON at position \d+/, '')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of input (truncated?)')
      .replace(/^Unexpected token (.), "(.*)" is not valid JSON$/s, "unexpected character '$1'");
    return { ok: false, failure: { offset: at ? Number(at[1]) : text.length, reason: lowerFirst(reason) } };
  }
}

function lowerFirst(s: string): string {
  return s.length ? s[0].toLowerCase() + s.slice(1) : s;
}

/** A short, printable rendering of a character for error messages. */
export function showChar(c: string): string {
  if (c === '') return 'end of file';
  if (c === '\n') return 'a line break';
  return `'${c}'`;
}
