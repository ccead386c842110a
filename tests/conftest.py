"Shared helpers for the pytest suite: the project root, the lessons, and running the `ftcourse` command as a user would."
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT/'nbs').glob('[0-9][0-9]_*.ipynb'))      # the lesson notebooks, in course order

def ftcourse(*args, env=None, procs=1):
    "Run `ftcourse ARGS` in a subprocess, as `python -m ftcourse.cli ARGS` (the module entry point launchers use), under torchrun with `procs` CPU processes if more than one; return (exit status, stdout, stderr)."
    e = {**os.environ, **(env or {}), **({'OMP_NUM_THREADS': '1'} if procs > 1 else {})}
    launch = ['-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={procs}'] if procs > 1 else []
    r = subprocess.run([sys.executable, *launch, '-m', 'ftcourse.cli', *map(str, args)],
                       capture_output=True, text=True, env=e, cwd=ROOT, timeout=900)
    return r.returncode, r.stdout, r.stderr

@pytest.fixture
def offline(monkeypatch):
    "No network and no FTCOURSE_DATA, in this process and its children."
    monkeypatch.setenv('FTCOURSE_OFFLINE', '1')
    monkeypatch.delenv('FTCOURSE_DATA', raising=False)
