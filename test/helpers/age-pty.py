"""Runs an age command with a pseudo-terminal and types the passphrase when
asked: `age -p` and `age -d` read passphrases from the terminal only.
Usage: python3 age-pty.py PASSPHRASE age ARGS... (exit status is age's)."""
import os
import pty
import re
import sys
import time

passphrase = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b''
answered = 0
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    asked = len(re.findall(rb'(?:Enter|Confirm) passphrase', seen))
    if answered < asked:
        answered += 1
        time.sleep(0.05)
        os.write(fd, passphrase + b'\n')
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
