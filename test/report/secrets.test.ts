/**
 * Secrets read from the environment are masked as *** in everything written.
 */
import { describe, expect, it } from 'vitest';
import { Secrets } from '../../src/report/secrets.js';

const secrets = (...values: string[]) => {
  const s = new Secrets();
  for (const v of values) s.add(v);
  return s;
};

describe('Secrets', () => {
  it('masks every occurrence of a value', () => {
    expect(secrets('hunter22').redact('pw=hunter22; again hunter22.')).toBe('pw=***; again ***.');
  });

  it('masks the longest value first, so a secret containing another is masked whole', () => {
    // Added shortest first on purpose: the order of add() must not matter.
    const s = secrets('abcd', 'abcdefgh');
    expect(s.redact('token abcdefgh and key abcd')).toBe('token *** and key ***');
    expect(s.redact('abcdefgh')).not.toContain('efgh');
  });

  it('masks the JSON-escaped form too (a command array quoted in an error message)', () => {
    const s = secrets('pa"ss\\word123');
    expect(s.redact(`hook ${JSON.stringify(['./h.sh', 'pa"ss\\word123'])} failed`)).toBe('hook ["./h.sh","***"] failed');
  });

  it('masks each line of a multi-line secret, short last lines included', () => {
    const s = secrets('-----BEGIN KEY-----\nAAAAbbbbCCCCddddEEEEffff\nXyZ9==\n-----END KEY-----');
    expect(s.redact('line: XyZ9==')).toBe('line: ***');
    expect(s.redact('AAAAbbbbCCCCddddEEEEffff')).toBe('***');
  });

  it('masks the URL-encoded form too', () => {
    const s = secrets('p@ss w/rd:1');
    expect(s.redact('https://user:p%40ss%20w%2Frd%3A1@db.example/x')).toBe('https://user:***@db.example/x');
    expect(s.redact('raw p@ss w/rd:1 here')).toBe('raw *** here');
  });

  it('ignores values under 4 characters, and keeps those of exactly 4', () => {
    const s = secrets('abc', '', 'x', 'four');
    expect(s.size).toBe(1);
    expect(s.list()).toEqual(['four']);
    expect(s.redact('abc x four')).toBe('abc x ***');
  });

  it('leaves text without secrets unchanged, and counts a value once', () => {
    const s = secrets('s3cr3t-value', 's3cr3t-value');
    expect(s.size).toBe(1);
    expect(s.redact('nothing to see here')).toBe('nothing to see here');
    expect(new Secrets().redact('s3cr3t-value')).toBe('s3cr3t-value');
  });

  it('treats values literally, not as patterns', () => {
    const s = secrets('a.b*c+d$');
    expect(s.redact('a.b*c+d$ vs axbbbcd')).toBe('*** vs axbbbcd');
  });

  it('registers the standard secret variables; an identity path is no secret, an identity is', () => {
    const s = new Secrets();
    s.addEnv({ PGPASSWORD: 'pg-pass-123', AWS_SECRET_ACCESS_KEY: 'aws/secret+key', RESTORABLE_AGE_IDENTITY: '/keys/backup.txt', HOME: '/root' });
    expect(s.redact('pg-pass-123 aws/secret+key /keys/backup.txt /root')).toBe('*** *** /keys/backup.txt /root');
    const t = new Secrets();
    t.addEnv({ RESTORABLE_AGE_IDENTITY: 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ' });
    expect(t.redact('key AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ')).toBe('key ***');
  });

  it('masks each line of a multi-line secret (a PEM key echoed line by line)', () => {
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAMwAAAAtzc2gtZWQyNTUxOQAAACDx\n-----END OPENSSH PRIVATE KEY-----';
    const s = secrets(pem);
    expect(s.redact('line: b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ')).toBe('line: ***');
    expect(s.redact(pem)).toBe('***');
  });
});
