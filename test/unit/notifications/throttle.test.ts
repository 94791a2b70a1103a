import { sharedThrottle } from '../../../src/services/notifications/send';
import { Throttle } from '../../../src/services/notifications/throttle';

test('delivery jobs sending through one bot share one throttle; another bot or tenant has its own', () => {
  const a = sharedThrottle('isp:bot1', 30);
  expect(a).toBeInstanceOf(Throttle);
  expect(sharedThrottle('isp:bot1', 30)).toBe(a);
  expect(sharedThrottle('isp:bot2', 30)).not.toBe(a);
  expect(sharedThrottle('other:bot1', 30)).not.toBe(a);
});
