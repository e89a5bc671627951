/** The Action's entry (action.yml -> dist/index.js); the work is in run.ts. */
import { run } from './run.js';

process.exitCode = await run();
