/**
 * The GitHub Action's entry (action.yml -> dist/index.js). For now a thin
 * shell that maps inputs to the CLI's arguments; groups, annotations, the job
 * summary and outputs come with the Action issue.
 */
import { main } from '../cli/main.js';

const input = (name: string): string => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

const argv = [input('command') || 'backup', '--plan', input('plan') || 'restorable.yml'];
if (input('backup')) argv.push('--backup', input('backup'));
if (input('source')) argv.push('--source', input('source'));
if (input('allow-version-mismatch') === 'true') argv.push('--allow-version-mismatch');
if (input('dry-run') === 'true') argv.push('--dry-run');

process.exitCode = await main(argv);
