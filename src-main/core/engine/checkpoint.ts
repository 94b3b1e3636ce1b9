/**
 * Packs a JSON-like value whose leaves may be typed arrays into one compact blob (and back),
 * for checkpoints: a small JSON header, then the arrays' raw little-endian bytes.
 * Layout: "DPRMCKP1" | uint32 header length | header JSON | padding to 4 | array bytes.
 */
const MAGIC = 'DPRMCKP1';

type Leaf = Float32Array | Int32Array | Uint32Array;
const KINDS = { f32: Float32Array, i32: Int32Array, u32: Uint32Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: unknown): Kind | null {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  return null;
}

export function packState(value: unknown): Buffer {
  const arrays: Leaf[] = [];
  const header = JSON.stringify(value, (_k, v: unknown) => {
    const kind = kindOf(v);
    if (!kind) return v;
    arrays.push(v as Leaf);
    return { $a: arrays.length - 1, kind, length: (v as Leaf).length };
  });
  const head = Buffer.from(header, 'utf8');
  const headEnd = 8 + 4 + head.length;
  const start = Math.ceil(headEnd / 4) * 4;
  const total = start + arrays.reduce((n, a) => n + a.byteLength, 0);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.length, 8);
  head.copy(out, 12);
  let o = start;
  for (const a of arrays) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, o);
    o += a.byteLength;
  }
  return out;
}

export function unpackState<T>(blob: Uint8Array): T {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new Error('not a DreamPRM checkpoint (bad magic bytes)');
  }
  const headLen = buf.readUInt32LE(8);
  const header = buf.toString('utf8', 12, 12 + headLen);
  let o = Math.ceil((12 + headLen) / 4) * 4;
  const leaves: { kind: Kind; length: number }[] = [];
  JSON.parse(header, (_k, v: unknown) => {
    if (v && typeof v === 'object' && '$a' in v) leaves[(v as { $a: number }).$a] = v as unknown as { kind: Kind; length: number };
    return v;
  });
  const arrays = leaves.map(({ kind, length }) => {
    const Ctor = KINDS[kind];
    const bytes = length * Ctor.BYTES_PER_ELEMENT;
    if (o + bytes > buf.length) throw new Error('checkpoint is truncated');
    // Copy into fresh aligned memory.
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(o, o + bytes));
    o += bytes;
    return new Ctor(copy.buffer);
  });
  return JSON.parse(header, (_k, v: unknown) =>
    v && typeof v === 'object' && '$a' in v ? arrays[(v as { $a: number }).$a] : v,
  ) as T;
}
