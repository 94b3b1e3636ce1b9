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

/**
 * Parses JSON; on failure says where and why. JSON.parse does the work; only a failure runs
 * the small checker below, so messages and positions do not depend on the Node version.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; failure: JsonFailure } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const failure = locateJsonError(text) ?? { offset: text.length, reason: (e as Error).message };
    return { ok: false, failure };
  }
}

/** The first syntax error of `text` (one JSON value), or undefined when it is valid. */
export function locateJsonError(text: string): JsonFailure | undefined {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw { offset: at, reason } satisfies JsonFailure;
  };
  const found = () => (i < text.length ? showChar(text[i]) : 'the end of the input (truncated?)');
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`expected a value, found ${found()}`);
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string (truncated?)');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail(`control character in a string (write it as an escape, e.g. \\n)`);
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string: expected 4 hex digits');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail(`bad escape \\${e ?? ''} in a string`);
        i += 2;
        continue;
      }
      i++;
    }
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(`expected a value, found ${found()}`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    fail(`expected a value, found ${found()}`);
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`expected a double-quoted property name, found ${found()}`);
      string();
      ws();
      if (text[i] !== ':') fail(`expected ':' after a property name, found ${found()}`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected ',' or '}' after a property value, found ${found()}`);
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']' after an array element, found ${found()}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${found()} after the end of the value`);
    return undefined;
  } catch (e) {
    if (e && typeof e === 'object' && 'offset' in e) return e as JsonFailure;
    throw e;
  }
}

/** A short, printable rendering of a character for error messages. */
export function showChar(c: string): string {
  if (c === '') return 'end of file';
  if (c === '\n') return 'a line break';
  return `'${c}'`;
}
