import { Rng } from './rng';

export interface SamplerState {
  /** generator state at the start of the current epoch (its permutation is re-derived) */
  epochRng: number;
  /** generator state now */
  rng: number;
  epoch: number;
  pos: number;
}

/** What the engine draws training batches from (instance indices into the table). */
export interface BatchSampler {
  readonly batchSize: number;
  next(): Int32Array;
  getState(): SamplerState;
  setState(s: SamplerState): void;
}

/**
 * Batches of distinct instances from seeded per-epoch permutations (the incomplete tail of an
 * epoch is dropped, as with drop_last). Its state is four numbers, so a checkpoint restores
 * the exact batch sequence.
 */
export class EpochSampler implements BatchSampler {
  private perm: Int32Array;
  private epochRng = 0;
  private epoch = -1;
  private pos = 0;
  readonly batchSize: number;

  constructor(
    readonly n: number,
    batchSize: number,
    private readonly rng: Rng,
  ) {
    if (n <= 0) throw new Error('cannot sample batches from an empty set');
    this.batchSize = Math.min(batchSize, n);
    this.perm = new Int32Array(n);
    this.newEpoch();
  }

  private newEpoch(): void {
    this.epochRng = this.rng.state;
    for (let i = 0; i < this.n; i++) this.perm[i] = i;
    this.rng.shuffle(this.perm);
    this.epoch += 1;
    this.pos = 0;
  }

  next(): Int32Array {
    if (this.pos + this.batchSize > this.n) this.newEpoch();
    const out = this.perm.slice(this.pos, this.pos + this.batchSize);
    this.pos += this.batchSize;
    return out;
  }

  getState(): SamplerState {
    return { epochRng: this.epochRng, rng: this.rng.state, epoch: this.epoch, pos: this.pos };
  }

  setState(s: SamplerState): void {
    this.rng.state = s.epochRng;
    for (let i = 0; i < this.n; i++) this.perm[i] = i;
    this.rng.shuffle(this.perm);
    this.rng.state = s.rng;
    this.epochRng = s.epochRng;
    this.epoch = s.epoch;
    this.pos = s.pos;
  }
}

/** Batches drawn from a fixed subset of the instances (the selection baselines' data). */
export class SubsetSampler implements BatchSampler {
  private readonly inner: EpochSampler;

  constructor(
    private readonly subset: Int32Array,
    batchSize: number,
    rng: Rng,
  ) {
    this.inner = new EpochSampler(subset.length, batchSize, rng);
  }

  get batchSize(): number {
    return this.inner.batchSize;
  }

  next(): Int32Array {
    return this.inner.next().map((i) => this.subset[i]);
  }

  getState(): SamplerState {
    return this.inner.getState();
  }

  setState(s: SamplerState): void {
    this.inner.setState(s);
  }
}
