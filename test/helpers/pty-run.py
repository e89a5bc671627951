"""Runs a command on a pseudo-terminal, as in a terminal window, and copies
everything it writes (stdout and stderr, carriage returns kept) to stdout.
Usage: python3 pty-run.py COMMAND ARGS... (exit status is the command's)."""
import os
import pty
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
