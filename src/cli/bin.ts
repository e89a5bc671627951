#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled bundle on disk (in the OS temp folder) for the next start:
// about a third of a start is V8 compiling the same code again. Older Node has no cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `restorable list | head`: a reader that goes away ends our output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// libuv's io_uring (Node 20's libuv turns it on for file system calls) runs each lstat and read
// inside io_uring_enter on the calling thread: a walk of 200k files spent 13.8 s of system time
// (11.2 s wall) against 5.3 s (9.4 s) with the thread pool. Read once, at the loop's first file
// system call, so it is set before any; a user's own setting stands.
process.env.UV_USE_IO_URING ??= '0';

// Imported after the cache is on, so that what it loads is cached too.
const { main } = await import('./main.js');
const { closeLingering } = await import('../util/linger.js');
process.exitCode = await main(process.argv.slice(2));
// Connections kept for reuse (SFTP) would hold the process open a few seconds more.
await closeLingering();
