import {
  buildQueueFields,
  buildRateLimit,
  checkSpeedProfile,
  formatRate,
  parseRate,
  parseRatePair,
  parseSecondsPair,
  SpeedProfileError,
} from '../../../src/domain/rate';

describe('parseRate', () => {
  test.each([
    ['100M', 100_000_000],
    ['512k', 512_000],
    ['512K', 512_000],
    ['1G', 1_000_000_000],
    ['1.5M', 1_500_000],
    ['1.1k', 1_100],
    ['64000', 64_000],
    [' 20M ', 20_000_000],
    ['10Mbps', 10_000_000],
    ['0', 0],
  ])('%s → %d', (input, bps) => expect(parseRate(input)).toBe(bps));

  test.each(['', 'M', 'fast', '10X', '-5M', '1.0005k', '10 M 5', '1e3', '10M/20M'])('rejects %p', (input) =>
    expect(parseRate(input)).toBeNull(),
  );
});

describe('formatRate', () => {
  test.each([
    [100_000_000, '100M'],
    [1_000_000_000, '1000M'],
    [512_000, '512k'],
    [1_500_000, '1500k'],
    [1_234, '1234'],
    [0, '0'],
  ])('%d → %s', (bps, text) => expect(formatRate(bps)).toBe(text));

  test('round-trips through parseRate', () => {
    for (const bps of [1, 999, 1_000, 64_000, 2_500_000, 100_000_000, 10_000_000_000]) {
      expect(parseRate(formatRate(bps))).toBe(bps);
    }
  });
});

describe('pairs', () => {
  test('upload/download order is kept', () => {
    expect(parseRatePair('10M/100M')).toEqual({ upload: 10_000_000, download: 100_000_000 });
    expect(parseRatePair('15M')).toEqual({ upload: 15_000_000, download: 15_000_000 });
    expect(parseRatePair('1/2/3')).toBeNull();
    expect(parseRatePair('x/1M')).toBeNull();
  });
  test('seconds', () => {
    expect(parseSecondsPair('16s/8s')).toEqual({ upload: 16, download: 8 });
    expect(parseSecondsPair('10')).toEqual({ upload: 10, download: 10 });
    expect(parseSecondsPair('1m')).toEqual({ upload: 60, download: 60 });
    expect(parseSecondsPair('soon')).toBeNull();
  });
});

describe('buildRateLimit (Mikrotik-Rate-Limit: rx/tx = subscriber upload/download)', () => {
  const M = 1_000_000;
  test.each([
    [{ rate: { upload: 10 * M, download: 100 * M } }, '10M/100M'],
    [{ rate: { upload: 512_000, download: 2 * M }, priority: 8 }, '512k/2M'],
    [{ rate: { upload: 10 * M, download: 20 * M }, priority: 3 }, '10M/20M 0/0 0/0 0/0 3'],
    [
      {
        rate: { upload: 25 * M, download: 50 * M },
        burst: { upload: 30 * M, download: 60 * M },
        threshold: { upload: 20 * M, download: 40 * M },
        burstTime: { upload: 16, download: 16 },
        priority: 8,
      },
      '25M/50M 30M/60M 20M/40M 16/16 8',
    ],
    [
      { rate: { upload: 64_000, download: 64_000 }, burst: { upload: 256_000, download: 256_000 } },
      // MikroTik defaults: threshold = rate, burst time 1 s
      '64k/64k 256k/256k 64k/64k 1/1 8',
    ],
    [
      // MikroTik's manual example: a threshold between the speed and the burst is valid.
      { rate: { upload: 64_000, download: 64_000 }, burst: { upload: 256_000, download: 256_000 }, threshold: { upload: 128_000, download: 128_000 }, burstTime: { upload: 10, download: 10 } },
      '64k/64k 256k/256k 128k/128k 10/10 8',
    ],
  ])('%j → %s', (profile, expected) => expect(buildRateLimit(profile)).toBe(expected));

  test.each([
    [{ rate: { upload: 0, download: 1 } }, 'upload'],
    [{ rate: { upload: 1, download: 0 } }, 'download'],
    [{ rate: { upload: 1, download: 1 }, priority: 9 }, 'priority'],
    [{ rate: { upload: 1, download: 1 }, priority: 0 }, 'priority'],
    [{ rate: { upload: 10, download: 10 }, burst: { upload: 5, download: 20 } }, 'burst_limit'],
    [{ rate: { upload: 10, download: 10 }, threshold: { upload: 5, download: 5 } }, 'burst_limit'],
    // A threshold the average can never reach: the burst would never end.
    [{ rate: { upload: 10, download: 10 }, burst: { upload: 20, download: 20 }, threshold: { upload: 20, download: 5 } }, 'burst_threshold'],
  ])('rejects %j on %s', (profile, field) => {
    expect(() => checkSpeedProfile(profile)).toThrow(SpeedProfileError);
    try {
      checkSpeedProfile(profile);
    } catch (e) {
      expect((e as SpeedProfileError).field).toBe(field);
    }
  });
});

describe('buildQueueFields', () => {
  test('simple queue uses the same upload/download order and seconds with a unit', () => {
    expect(
      buildQueueFields({
        rate: { upload: 10_000_000, download: 20_000_000 },
        burst: { upload: 15_000_000, download: 30_000_000 },
        threshold: { upload: 8_000_000, download: 16_000_000 },
        burstTime: { upload: 16, download: 16 },
        priority: 2,
      }),
    ).toEqual({
      'max-limit': '10M/20M',
      'burst-limit': '15M/30M',
      'burst-threshold': '8M/16M',
      'burst-time': '16s/16s',
      priority: '2/2',
    });
  });
  test('no burst clears the burst fields', () => {
    expect(buildQueueFields({ rate: { upload: 1_000_000, download: 5_000_000 } })).toMatchObject({
      'max-limit': '1M/5M',
      'burst-limit': '0/0',
      priority: '8/8',
    });
  });
});
