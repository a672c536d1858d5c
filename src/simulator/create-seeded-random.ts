const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  integer(min: number, max: number): number;
  /** RFC 4122 version-4 shaped UUID. */
  uuid(): string;
  /** Rails `has_secure_token` style base58 token (24 chars by default). */
  token(length?: number): string;
}

/**
 * mulberry32: tiny, fast and good enough for test data and fault decisions. Each simulator owns
 * its streams, so two simulators in one process never perturb each other.
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const integer = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (count: number): string => {
    let out = '';
    for (let index = 0; index < count; index += 1) out += integer(0, 15).toString(16);
    return out;
  };
  return {
    next,
    integer,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + integer(0, 3)).toString(16)}${hex(3)}-${hex(12)}`,
    token: (length = 24) => {
      let out = '';
      for (let index = 0; index < length; index += 1) out += BASE58_ALPHABET[integer(0, 57)];
      return out;
    },
  };
}
