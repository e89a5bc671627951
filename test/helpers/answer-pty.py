"""Runs a command on a pseudo-terminal and answers its questions in order.
Usage: python3 answer-pty.py ANSWERS_JSON COMMAND ARGS...
ANSWERS_JSON: [[prompt regex, answer], ...]; each answer is typed once its
prompt has appeared. Everything the terminal showed goes to stdout; the
exit status is the command's."""
import json
import os
import pty
import re
import sys
import time

answers = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b''
at = 0  # where the next prompt is looked for
done = 0
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    while done < len(answers):
        match = re.search(answers[done][0].encode(), seen[at:])
        if not match:
            break
        at += match.end()
        time.sleep(0.05)
        os.write(fd, answers[done][1].encode() + b'\r')
        done += 1
sys.stdout.write(seen.decode('utf8', 'replace'))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
