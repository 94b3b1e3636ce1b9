import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors';
import { JsonArrayScanner, type RawRecord } from './json-array-scanner';
import { parseJson, positionIn } from './json-text';

export type Container = 'array' | 'jsonl';

/**
 * Reads a JSON array or a JSONL file as batches of parsed records, chunk by chunk, while
 * hashing the bytes (the sha256 identifies the source for idempotent re-imports).
 * A malformed file throws a UserError "file:line:column: reason" at the first problem.
 */
export class RecordReader {
  bytesRead = 0;
  container: Container | undefined;
  private readonly hash = createHash('sha256');
  private digest: string | undefined;

  constructor(private readonly path: string, private readonly label = path) {}

  /** The file's sha256; available once every batch has been read. */
  sha256(): string {
    if (!this.digest) throw new Error('sha256 asked before the file was read to the end');
    return this.digest;
  }

  async *batches(): AsyncGenerator<RawRecord[]> {
    const decoder = new StringDecoder('utf8');
    let split: ((text: string) => RawRecord[]) | undefined;
    let finish: (() => RawRecord[]) | undefined;
    let head = '';
    for await (const chunk of createReadStream(this.path, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      this.bytesRead += bytes.length;
      this.hash.update(bytes);
      let text = decoder.write(bytes);
      if (!split) {
        // Decide the container from the first non-blank character.
        head += text;
        const first = /[^\s\ufeff]/.exec(head);
        if (!first) continue;
        text = head;
        head = '';
        [split, finish] = this.open(first[0]);
      }
      const out = split(text);
      if (out.length) yield out;
    }
    const rest = decoder.end();
    if (!split) {
      if ((head + rest).trim()) [split, finish] = this.open((head + rest).trim()[0]);
      else throw new UserError(`${this.label}: the file is empty: expected a JSON array of records or JSONL`);
      const out = split(head + rest);
      if (out.length) yield out;
    } else if (rest) {
      const out = split(rest);
      if (out.length) yield out;
    }
    const tail = finish!();
    if (tail.length) yield tail;
    this.digest = this.hash.digest('hex');
  }

  private open(first: string): [(text: string) => RawRecord[], () => RawRecord[]] {
    if (first === '[') {
      this.container = 'array';
      const scanner = new JsonArrayScanner(this.label);
      return [(t) => scanner.push(t), () => scanner.end()];
    }
    if (first === '{') {
      this.container = 'jsonl';
      const lines = new JsonlSplitter(this.label);
      return [(t) => lines.push(t), () => lines.end()];
    }
    const shown = JSON.stringify(first);
    throw new UserError(
      `${this.label}:1:1: not JSON: expected '[' (a JSON array of records) or '{' (JSONL, one record per line), found ${shown}`,
    );
  }
}

/** Splits JSONL text into lines and parses each non-blank one. */
class JsonlSplitter {
  private pending = '';
  private line = 0;
  private count = 0;

  constructor(private readonly file: string) {}

  push(text: string): RawRecord[] {
    const out: RawRecord[] = [];
    const data = this.pending + text;
    let from = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', from)) {
      this.parseLine(data.slice(from, nl), out, false);
      from = nl + 1;
    }
    this.pending = data.slice(from);
    return out;
  }

  end(): RawRecord[] {
    const out: RawRecord[] = [];
    if (this.pending) this.parseLine(this.pending, out, true);
    this.pending = '';
    return out;
  }

  private parseLine(raw: string, out: RawRecord[], lastLine: boolean): void {
    this.line++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!text.trim()) return;
    const parsed = parseJson(text);
    if (!parsed.ok) {
      const at = positionIn(text, parsed.failure.offset, { line: this.line, column: 1 });
      // A first line that is only the start of a value, with more lines after it: a
      // pretty-printed object, not JSONL.
      if (this.count === 0 && !lastLine && parsed.failure.offset >= text.trimEnd().length) {
        throw new UserError(
          `${this.file}:${this.line}:1: the top-level value is a JSON object spread over several lines; ` +
            'expected a JSON array of records ([{...}, {...}]) or JSONL (one complete JSON object per line)',
        );
      }
      throw new UserError(`${this.file}:${at.line}:${at.column}: line ${this.line}: ${parsed.failure.reason}`);
    }
    this.count++;
    out.push({ index: this.count, line: this.line, column: 1, value: parsed.value });
  }
}
