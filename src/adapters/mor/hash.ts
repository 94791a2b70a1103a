import { createHash } from 'node:crypto';

/**
 * MOR's legacy API hash: the values (not the names) of the endpoint's hashed parameters that are present, in the
 * order the endpoint documents, no separator, then the API secret; lowercase hex SHA-1.
 */
export function morHash(values: Array<string | number>, secret: string): string {
  return createHash('sha1').update(values.map(String).join('') + secret, 'utf8').digest('hex');
}

export const MOR_ENDPOINTS = [
  'user_balance_get',
  'user_calls_get',
  'tariffs_get',
  'payment_create',
  'user_balance_update',
  'user_register',
  'device_create',
  'did_create',
] as const;
export type MorEndpoint = (typeof MOR_ENDPOINTS)[number];

/** The hashed parameters per endpoint, in the documented order. MOR versions differ, so settings may override each. */
export const DEFAULT_HASH_PARAMS: Record<MorEndpoint, string[]> = {
  user_balance_get: ['username', 'currency'],
  user_calls_get: ['period_start', 'period_end', 's_user', 's_call_type', 's_device', 's_provider', 's_hgc', 's_did', 's_destination', 'order_desc', 'only_did'],
  tariffs_get: ['u'],
  payment_create: ['user_id'],
  user_balance_update: ['user_id', 'balance'],
  user_register: ['email', 'id', 'lcr_id', 'device_type', 'username', 'first_name', 'last_name', 'caller_id', 'state', 'device_location_id'],
  device_create: ['user_id'],
  did_create: ['provider_id', 'did'],
};

/** The hash of a request: only the listed parameters that are sent take part. */
export function hashFor(order: string[], params: Record<string, string>, secret: string): string {
  return morHash(order.filter((k) => params[k] !== undefined).map((k) => params[k]), secret);
}
