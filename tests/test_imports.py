"""The package follows the course: each lesson's module imports only the modules of earlier lessons (fastai/course22p2's
rule), imports inside functions included. Checked by reading every module's imports against the lesson order.

The lessons themselves are held to the same rule (every code cell, hidden ones included). `KNOWN_BACKWARD_IN_LESSONS`
would list a backward import a lesson still had; it is empty (lesson 11, the last, now runs its ablation through lesson 06's
harness instead of lesson 15's command). The test fails on any backward import not listed, and on a listed one that no
longer exists, so the list can only shrink. A planted backward import, one inside a function too, is caught."""
import ast, json, re
from pathlib import Path
import pytest
from conftest import ROOT

KNOWN_BACKWARD_IN_LESSONS = set()


def lesson_order(nbs):
    "{module: lesson number} from each `NN_*.ipynb`'s `#| default_exp`."
    order = {}
    for nb in sorted(Path(nbs).glob('[0-9]*.ipynb')):
        for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
            m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)
            if m: order[m.group(1)] = int(nb.name[:2]); break
    return order

def package_imports(src, package='ftcourse'):
    "The package's modules that Python source `src` imports, anywhere in it (functions too), with line numbers."
    found = []
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module: names = [node.module]
            elif node.level == 1: names = [a.name for a in node.names]                 # from . import x
            elif node.module == package: names = [a.name for a in node.names]          # from ftcourse import x
            elif node.module and node.module.startswith(package + '.'): names = [node.module[len(package) + 1:]]
            else: names = []
        elif isinstance(node, ast.Import): names = [a.name[len(package) + 1:] for a in node.names if a.name.startswith(package + '.')]
        else: names = []
        found += [(n.split('.')[0], node.lineno) for n in names]
    return found

def backward_imports(lib, order):
    "Every (module, imported module, line) where a module imports one of a later lesson."
    return [(m, t, line) for m in order for t, line in package_imports((Path(lib)/f'{m}.py').read_text(encoding='utf-8'))
            if t in order and order[t] > order[m]]

def test_modules_import_only_earlier_lessons():
    order = lesson_order(ROOT/'nbs')
    assert len(order) >= 13, order
    found = backward_imports(ROOT/'ftcourse', order)
    assert not found, 'backward imports: ' + '; '.join(f'ftcourse/{m}.py:{line} imports {t} (lesson {order[t]:02d}, after {order[m]:02d})' for m, t, line in found)

def lesson_imports(nb):
    "The package's modules imported by any code cell of notebook `nb` (shell and magic lines skipped)."
    found = []
    for c in json.loads(Path(nb).read_text(encoding='utf-8'))['cells']:
        if c['cell_type'] != 'code': continue
        src = '\n'.join(l for l in ''.join(c['source']).splitlines() if not l.lstrip().startswith(('!', '%')))
        found += [t for t, _ in package_imports(src)]
    return found

def test_lessons_import_only_earlier_lessons():
    "What the reader runs, hidden cells included: a lesson uses only what earlier lessons (and itself) exported."
    order = lesson_order(ROOT/'nbs')
    found = {(nb.stem, t) for nb in (ROOT/'nbs').glob('[0-9]*.ipynb') for t in lesson_imports(nb) if t in order and order[t] > int(nb.name[:2])}
    assert not found - KNOWN_BACKWARD_IN_LESSONS, f'lessons importing later lessons: {sorted(found - KNOWN_BACKWARD_IN_LESSONS)}'
    assert not KNOWN_BACKWARD_IN_LESSONS - found, f'no longer imported, remove from KNOWN_BACKWARD_IN_LESSONS: {sorted(KNOWN_BACKWARD_IN_LESSONS - found)}'

def test_a_planted_backward_import_is_caught(tmp_path):
    (tmp_path/'nbs').mkdir(); (tmp_path/'lib').mkdir()
    for i, m in enumerate(['core', 'data', 'cli']):
        (tmp_path/'nbs'/f'{i:02d}_{m}.ipynb').write_text(json.dumps({'cells': [{'source': [f'#| default_exp {m}']}]}))
    (tmp_path/'lib'/'core.py').write_text('import os\n')
    (tmp_path/'lib'/'data.py').write_text('from .core import x\ndef f():\n    from ftcourse.cli import main\n')
    (tmp_path/'lib'/'cli.py').write_text('from .data import f\nimport ftcourse.core\n')
    order = lesson_order(tmp_path/'nbs')
    assert order == {'core': 0, 'data': 1, 'cli': 2}
    assert backward_imports(tmp_path/'lib', order) == [('data', 'cli', 3)]
