// A small deterministic generator (xorshift32), so two runs of the same size draw the same data.
export function generator(seed) {
  let state = seed;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  return { random, pick: (n) => Math.floor(random() * n) };
}
