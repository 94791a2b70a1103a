import { DEFAULT_HASH_PARAMS, hashFor, morHash } from '../../../src/adapters/mor/hash';
import { morError } from '../../../src/adapters/mor/mor-client';
import { localMidnightUnix, morDateToIso, nextDay } from '../../../src/services/voip/time';
import { creditVisible } from '../../../src/services/voip/topup';

describe('MOR hash (spec §1.2 test vectors)', () => {
  it.each([
    [['123', '1252454580', 'answered'], 'Very Sercet Key', 'b93c35d5c6183288322122561a3da7e09abb63b7'],
    [['123', '100'], '456789', 'b1bef44691c237b574263e09b2838ad1e658e507'],
  ])('sha1(values + secret) of %j', (values, secret, expected) => {
    expect(morHash(values, secret)).toBe(expected);
  });

  it('takes only the hashed parameters that are sent, in the documented order', () => {
    expect(hashFor(DEFAULT_HASH_PARAMS.user_balance_update, { balance: '100', u: 'admin', user_id: '123' }, '456789')).toBe('b1bef44691c237b574263e09b2838ad1e658e507');
    expect(hashFor(DEFAULT_HASH_PARAMS.user_balance_get, { username: 'bob', u: 'admin' }, 's')).toBe(morHash(['bob'], 's'));
    expect(hashFor(DEFAULT_HASH_PARAMS.tariffs_get, { u: 'admin' }, 's')).toBe(morHash(['admin'], 's'));
  });
});

describe('MOR error texts', () => {
  it.each([
    ['Incorrect hash', undefined, 'mor_auth_failed'],
    ['Bad login', undefined, 'mor_auth_failed'],
    ['User was not found', undefined, 'mor_user_not_found'],
    ['Payment was not saved', 'User was not found', 'mor_user_not_found'],
    ['Feature disabled', undefined, 'mor_feature_disabled'],
    ['You are not authorized to manage DIDs', undefined, 'mor_feature_disabled'],
    ['DID already exists', undefined, 'mor_error'],
  ])('%s (%s) → %s', (text, detail, code) => {
    const e = morError(text, detail);
    expect(e.code).toBe(code);
    if (code === 'mor_error') expect(e.message).toContain(text);
  });
});

describe('time zone conversion', () => {
  it('local midnight in Athens, winter and summer', () => {
    expect(localMidnightUnix('2026-01-16', 'Europe/Athens')).toBe(Date.UTC(2026, 0, 15, 22) / 1000);
    expect(localMidnightUnix('2026-07-16', 'Europe/Athens')).toBe(Date.UTC(2026, 6, 15, 21) / 1000);
    expect(localMidnightUnix('2026-03-29', 'Europe/Athens')).toBe(Date.UTC(2026, 2, 28, 22) / 1000);
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });
  it('MOR dates with their zone', () => {
    expect(morDateToIso('2026-01-16 07:18:42', 'GMT +02:00')).toBe('2026-01-16T05:18:42Z');
    expect(morDateToIso('2026-01-16 07:18:42', 'GMT +00:00')).toBe('2026-01-16T07:18:42Z');
    expect(morDateToIso('garbage', 'GMT')).toBeNull();
  });
});

describe('top-up read-back', () => {
  it('sees a credit when the balance rose by at least half the amount', () => {
    expect(creditVisible('5.0000', '15.0000', 1000)).toBe(true);
    expect(creditVisible('5.0000', '14.8000', 1000)).toBe(true);
    expect(creditVisible('5.0000', '5.0000', 1000)).toBe(false);
    expect(creditVisible(null, '15.0000', 1000)).toBe(false);
  });
});
