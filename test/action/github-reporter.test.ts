/**
 * The GitHub reporter's contract in-process, with the real @actions/core
 * writing workflow commands to stdout: masks are registered when a secret is
 * recorded (before any line), multi-line secrets line by line, and masks are
 * never emitted unless asked (outside GitHub they would print the secret).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { annotationAt, GitHubReporter, maskedForms } from '../../src/report/github.js';
import { Secrets } from '../../src/report/secrets.js';

let lines: string[];
beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l.length > 0));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('GitHubReporter', () => {
  it('registers a secret the moment it is recorded, then redacts it from every line', () => {
    const secrets = new Secrets();
    secrets.add('known-before-1');
    const reporter = new GitHubReporter(secrets, { mask: true });
    expect(lines).toEqual(['::add-mask::known-before-1']);
    secrets.add('p@ss word/2');
    // Workflow commands escape % as %25; the runner decodes it back to the URL-encoded form.
    expect(lines.slice(1)).toEqual(['::add-mask::p@ss word/2', `::add-mask::${encodeURIComponent('p@ss word/2').replace(/%/g, '%25')}`]);
    reporter.stepStarted('snapshot:db', 'snapshot db');
    reporter.warn('could not reach https://u:p%40ss%20word%2F2@host');
    reporter.stepFinished('snapshot:db', 'ok', 1234.5, 'wrote known-before-1');
    expect(lines.slice(3)).toEqual(['::group::snapshot db', '::warning::could not reach https://u:***@host', '::endgroup::', '✓ snapshot db: ok in 1.23s (wrote ***)']);
  });

  it('masks each line of a multi-line secret (a private key), and nothing without mask', () => {
    expect(maskedForms('-----BEGIN KEY-----\nAAAAB3Nza\nxy\n-----END KEY-----')).toEqual(
      expect.arrayContaining(['-----BEGIN KEY-----', 'AAAAB3Nza', '-----END KEY-----']),
    );
    expect(maskedForms('a\nxy')).not.toContain('xy');
    const secrets = new Secrets();
    new GitHubReporter(secrets, { mask: false });
    secrets.add('never-printed');
    expect(lines).toEqual([]);
  });

  it('points plan annotations at the file relative to the workspace', () => {
    expect(annotationAt('/ws/ops/restorable.yml:7:5', '/ws')).toEqual({ file: 'ops/restorable.yml', startLine: 7, startColumn: 5 });
    expect(annotationAt('/elsewhere/p.yml:1:2', '/ws')).toEqual({ file: '/elsewhere/p.yml', startLine: 1, startColumn: 2 });
    expect(annotationAt('/ws/restorable.yml', '/ws')).toEqual({});
  });
});
