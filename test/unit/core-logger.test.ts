import { createLogger, redact } from '../../src/logger';

test('redaction covers passwords, keys, tokens, and the hashes and ciphertexts of a database row', () => {
  const row = { id: 1, username: 'alice', password_hash: 'scrypt$16384$x', totp_secret_enc: 'v1:a:b:c', key_hash: 'abc', csrf_hash: 'def', secret_enc: 'v1:x', nested: { api_key: 'isg_x', code: '123456' } };
  const out = redact(row) as Record<string, unknown>;
  expect(out).toMatchObject({ id: 1, username: 'alice', password_hash: '[redacted]', totp_secret_enc: '[redacted]', key_hash: '[redacted]', csrf_hash: '[redacted]', secret_enc: '[redacted]', nested: { api_key: '[redacted]', code: '[redacted]' } });
  expect(redact('Authorization: Bearer isg_abc.def')).toBe('Authorization: Bearer [redacted]');
});

test('a logged row keeps its secrets out of the line', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', json: true, sink: (l) => lines.push(l) });
  log.transports.forEach((t) => (t.constructor.name === 'Console' ? (t.silent = true) : undefined));
  log.info('admin loaded', { admin: { username: 'alice', password_hash: 'scrypt$16384$8$1$salt$hash', totp_secret_enc: 'v1:iv:tag:ct' } });
  expect(lines.join('\n')).not.toMatch(/scrypt\$|v1:iv/);
});
