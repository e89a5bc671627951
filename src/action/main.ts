/** The Action's entry (action.yml -> dist/index.js); the work is in run.ts. */
import { closeLingering } from '../util/linger.js';
import { run } from './run.js';

process.exitCode = await run();
// Connections kept for reuse (SFTP) would hold the job step open a few seconds more.
await closeLingering();
