"The notebooks are clean (`nbdev-clean` changes nothing) and the library is in sync (`nbdev-export` changes nothing)."
import shutil, subprocess, sys, filecmp
from pathlib import Path
import pytest
from conftest import ROOT

BIN = Path(sys.executable).parent

@pytest.fixture(scope='module')
def copy(tmp_path_factory):
    "A copy of the project's source: the checks run there, so they never rewrite the working tree."
    d = tmp_path_factory.mktemp('proj')
    for f in ('pyproject.toml', 'settings.ini'): shutil.copy(ROOT/f, d/f)
    for f in ('nbs', 'ftcourse'): shutil.copytree(ROOT/f, d/f, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    return d

def changed(a, b):
    cmp = filecmp.dircmp(a, b, ignore=['__pycache__', '.ipynb_checkpoints'])
    out = [f'{a}/{f}' for f in cmp.diff_files + cmp.left_only + cmp.right_only]
    for sub in cmp.common_dirs: out += changed(Path(a)/sub, Path(b)/sub)
    return out

def test_notebooks_are_clean(copy):
    subprocess.run([BIN/'nbdev-clean'], cwd=copy, check=True, capture_output=True)
    assert changed(ROOT/'nbs', copy/'nbs') == [], 'run nbdev-clean and commit'

def test_library_is_in_sync(copy):
    subprocess.run([BIN/'nbdev-export'], cwd=copy, check=True, capture_output=True, env={'PATH': str(BIN)})
    assert changed(ROOT/'ftcourse', copy/'ftcourse') == [], 'run nbdev-export and commit'
