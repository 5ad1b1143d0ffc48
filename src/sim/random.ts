// A small seeded PRNG for the simulator. Everything random in a simulated run (schedule, network,
// each core's election timeouts) draws from one of these, so a seed replays the same run exactly.
// Only 32-bit integer arithmetic is used (Math.imul, >>>), which gives the same numbers on every
// platform and engine.

/** Folds any number of integers (and strings, by FNV-1a) into one well-mixed 32-bit seed. */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let v: number;
    if (typeof part === 'string') {
      v = 0x811c9dc5;
      for (let i = 0; i < part.length; i++) v = Math.imul(v ^ part.charCodeAt(i), 0x01000193);
    } else {
      // Split into two 32-bit halves so seeds above 2^32 still mix both.
      v = (part >>> 0) ^ Math.imul(Math.floor(part / 4294967296) >>> 0, 0x85ebca6b);
    }
    h = splitmix32(h ^ v);
  }
  return h >>> 0;
}

/** One round of splitmix32: a bijective 32-bit finalizer with good avalanche. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** sfc32 (Small Fast Counting generator, PractRand-tested), seeded through splitmix32. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The generator for a stream named by `parts`, e.g. `new Random(seed, 'network')`. */
  constructor(...parts: (number | string)[]) {
    let s = mixSeed(...parts);
    s = splitmix32(s);
    this.a = s;
    s = splitmix32(s);
    this.b = s;
    s = splitmix32(s);
    this.c = s;
    this.d = 1;
    // Discard the first outputs: sfc32 needs a few rounds to leave its seeding state behind.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A new array with the items in random order (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** `next` bound to this generator, the shape RaftConfig.random wants. */
  asFunction(): () => number {
    return () => this.next();
  }
}
