// Tests must never touch a developer's data directory or real peers.
process.env.NODE_ENV = process.env.NODE_ENV === 'production' ? 'production' : 'test';
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
