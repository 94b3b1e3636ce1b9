import { UserError } from '../errors';
import { parseJson, positionIn, showChar, type TextPosition } from './json-text';

/** One element of the top-level array (or one JSONL line), parsed, with where it started. */
export interface RawRecord {
  /** 1-based position of the record in the file */
  index: number;
  line: number;
  column: number;
  value: unknown;
}

const enum Phase {
  Start, // before '['
  BeforeValue, // after '[' or ','
  InValue,
  AfterValue, // expecting ',' or ']'
  Done, // after the closing ']'
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const NEWLINE = 10;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Splits a top-level JSON array into its elements as text arrives, so a file of any size is
 * read in chunks: only the current element is held in memory. Each element is handed to
 * JSON.parse (native, fast); structure errors are reported here with file:line:column.
 */
export class JsonArrayScanner {
  private phase = Phase.Start;
  private line = 1;
  private column = 1;
  private parts: string[] = [];
  private start: TextPosition = { line: 1, column: 1 };
  private stack: number[] = [];
  private inString = false;
  private escaped = false;
  private scalar = false;
  private count = 0;
  private afterComma = false;

  constructor(private readonly file: string) {}

  /** Feeds decoded text; returns the elements completed within it. */
  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    let valueFrom = this.phase === Phase.InValue ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.phase) {
        case Phase.Start:
          if (isSpace(c) || (c === 0xfeff && this.line === 1 && this.column === 1)) break;
          if (c !== OPEN_BRACKET) {
            throw this.error(`not a JSON array of records: expected '[', found ${showChar(chunk[i])}`);
          }
          this.phase = Phase.BeforeValue;
          break;
        case Phase.BeforeValue:
          if (isSpace(c)) break;
          if (c === CLOSE_BRACKET) {
            if (this.afterComma) throw this.error(`trailing comma after record ${this.count} before ']'`);
            this.phase = Phase.Done;
            break;
          }
          if (c === COMMA) throw this.error(`empty element: ',' where record ${this.count + 1} should start`);
          this.beginValue(c);
          valueFrom = i;
          if (this.valueEndsAt(c, chunk[i])) {
            out.push(this.finishValue(chunk.slice(valueFrom, i + 1)));
            valueFrom = -1;
          }
          break;
        case Phase.InValue:
          if (this.scalar && (isSpace(c) || c === COMMA || c === CLOSE_BRACKET)) {
            out.push(this.finishValue(chunk.slice(valueFrom, i)));
            valueFrom = -1;
            i--; // let AfterValue see this character
            continue; // position already advanced for everything before it
          }
          if (this.valueEndsAt(c, chunk[i])) {
            out.push(this.finishValue(chunk.slice(valueFrom, i + 1)));
            valueFrom = -1;
          }
          break;
        case Phase.AfterValue:
          if (isSpace(c)) break;
          if (c === COMMA) {
            this.phase = Phase.BeforeValue;
            this.afterComma = true;
          } else if (c === CLOSE_BRACKET) {
            this.phase = Phase.Done;
          } else {
            throw this.error(`expected ',' or ']' after record ${this.count}, found ${showChar(chunk[i])}`);
          }
          break;
        case Phase.Done:
          if (!isSpace(c)) throw this.error(`unexpected ${showChar(chunk[i])} after the closing ']' of the array`);
          break;
      }
      if (c === NEWLINE) {
        this.line++;
        this.column = 1;
      } else {
        this.column++;
      }
    }
    if (valueFrom >= 0) this.parts.push(chunk.slice(valueFrom));
    return out;
  }

  /** Call at end of input: a scalar element may end there; anything unclosed is an error. */
  end(): RawRecord[] {
    if (this.phase === Phase.InValue && this.scalar) {
      // A bare scalar can only end the input if the array is missing its ']'.
      this.phase = Phase.AfterValue;
    }
    switch (this.phase) {
      case Phase.Start:
        throw this.error('the file is empty: expected a JSON array of records or JSONL');
      case Phase.Done:
        return [];
      case Phase.InValue:
        throw this.error(
          `unexpected end of file inside record ${this.count + 1} (it starts at ${this.start.line}:` +
            `${this.start.column}): the file looks truncated`,
        );
      default:
        throw this.error("unexpected end of file: the array is not closed with ']' (truncated file?)");
    }
  }

  private beginValue(c: number): void {
    this.phase = Phase.InValue;
    this.start = { line: this.line, column: this.column };
    this.parts = [];
    this.stack = [];
    this.inString = false;
    this.escaped = false;
    this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
  }

  /** Tracks strings and nesting; true when this character closes the current element. */
  private valueEndsAt(c: number, ch: string): boolean {
    if (this.scalar) return false;
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) {
        this.inString = false;
        return this.stack.length === 0;
      }
      return false;
    }
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.stack.push(c);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      const open = this.stack.pop();
      const want = open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      if (open === undefined || c !== want) {
        throw this.error(`in record ${this.count + 1}: ${showChar(ch)} does not match the open ${open === OPEN_BRACE ? "'{'" : "'['"}`);
      }
      return this.stack.length === 0;
    }
    return false;
  }

  private finishValue(tail: string): RawRecord {
    const text = this.parts.length ? this.parts.join('') + tail : tail;
    this.parts = [];
    this.phase = Phase.AfterValue;
    this.afterComma = false;
    this.count++;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      const at = positionIn(text, parsed.failure.offset, this.start);
      throw new UserError(`${this.file}:${at.line}:${at.column}: record ${this.count}: ${parsed.failure.reason}`);
    }
    return { index: this.count, line: this.start.line, column: this.start.column, value: parsed.value };
  }

  private error(reason: string): UserError {
    return new UserError(`${this.file}:${this.line}:${this.column}: ${reason}`);
  }
}
