"Shared helpers for the pytest suite: the project root, the lessons, and running the `ftcourse` command as a user would."
import subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT/'nbs').glob('[0-9][0-9]_*.ipynb'))      # the lesson notebooks, in course order

def ftcourse(*args, env=None, procs=1):
    "Run `ftcourse ARGS` in a subprocess, as `python -m ftcourse.cli ARGS` (the module entry point launchers use), under torchrun with `procs` CPU processes if more than one; return (exit status, stdout, stderr)."
    from ftcourse.gpu import ftcourse_command
    cmd, e = ftcourse_command(*args, procs=procs)
    r = subprocess.run(cmd, capture_output=True, text=True, env={**e, **(env or {})}, cwd=ROOT, timeout=900)
    return r.returncode, r.stdout, r.stderr

@pytest.fixture
def offline(monkeypatch):
    "No network and no FTCOURSE_DATA, in this process and its children."
    monkeypatch.setenv('FTCOURSE_OFFLINE', '1')
    monkeypatch.delenv('FTCOURSE_DATA', raising=False)
