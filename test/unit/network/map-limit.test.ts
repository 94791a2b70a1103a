import { mapLimit } from '../../../src/services/network/radius';

test('mapLimit keeps order and never has more than the limit in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const run = mapLimit([...Array(100).keys()], 8, async (i) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((r) => gates.push(r));
    inFlight -= 1;
    return i * 2;
  });
  // Release the calls one by one, as answers would arrive.
  while (gates.length || inFlight) {
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  }
  const out = await run;
  expect(peak).toBe(8);
  expect(out).toEqual([...Array(100).keys()].map((i) => i * 2));
  expect(await mapLimit([], 8, async () => 1)).toEqual([]);
});
