#!/usr/bin/env node
import { main } from './main.js';

// `restorable list | head`: a reader that goes away ends our output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
