/** A seeded generator (mulberry32) and normal draws, so noise tests repeat exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` draws of N(mean, sd²) by Box–Muller. */
export function normalSample(random: () => number, count: number, mean = 0, sd = 1): number[] {
  const values: number[] = [];
  while (values.length < count) {
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    values.push(mean + sd * r * Math.cos(2 * Math.PI * v));
    if (values.length < count) values.push(mean + sd * r * Math.sin(2 * Math.PI * v));
  }
  return values;
}
