"""What a reader sees: the lessons' stored outputs carry no progress bars, no warnings, no local paths, and come from one environment.

fastprogress and tqdm draw bars for people running a notebook; stored, they are noise (a `<style>` block, empty HTML displays, a
copy of fastai's epoch table for every epoch). Strip them after running a lesson, before committing it:

    python tests/test_outputs.py nbs/07_vision.ipynb [...]     # removes bars in place; keeps the last epoch table of each run

The test fails on a lesson with a bar, a stderr stream (warnings), an absolute local path, or a `report()` line whose
transformers version differs from the other lessons'. KNOWN lists what lessons stored before this test existed, each to be
fixed by re-running that lesson; the list can only shrink (an entry that no longer applies fails too, so it gets removed).
"""
import json, re, sys
from pathlib import Path
import pytest
from conftest import ROOT, LESSONS
ABS_PATH = re.compile(r'(?<![\w.~])/(root|home|Users|work|tmp|content)/')
KNOWN = {}                      # lesson -> problems its stored outputs had when this test was written (2026-11-27); all re-run since

def _html(o): return ''.join(o.get('data', {}).get('text/html', ''))
def _text(o): return ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', ''))

def _epoch_table(o):
    "The rows of a fastprogress epoch table (without the time column), or None."
    h = _html(o)
    if 'class="fastprogress"' not in h: return None
    return [re.findall(r'<td>(.*?)</td>', r)[:-1] for r in re.findall(r'<tr>(.*?)</tr>', h) if '<td>' in r]

def is_bar(o):
    "A progress bar's output: fastprogress's style block, bar or emptied display; tqdm's widget or text line."
    h = _html(o)
    if o.get('output_type') in ('display_data', 'update_display_data'):
        if '<progress' in h or ('<style>' in h and 'progress' in h): return True
        if 'text/html' in o.get('data', {}) and not h.strip(): return True
        if 'application/vnd.jupyter.widget-view+json' in o.get('data', {}): return True      # tqdm's notebook widget
    return o.get('output_type') == 'stream' and bool(re.search(r'\d+%\|', _text(o)))

def strip(nb):
    "Remove progress bars from notebook dict `nb`, and every epoch table that the next output of its cell repeats and extends."
    for c in nb['cells']:
        outs = [o for o in c.get('outputs', []) if not is_bar(o)]
        keep = []
        for i, o in enumerate(outs):
            t, nxt = _epoch_table(o), _epoch_table(outs[i + 1]) if i + 1 < len(outs) else None
            if t is not None and nxt is not None and nxt[:len(t)] == t: continue      # an earlier frame of the same run
            keep.append(o)
        if 'outputs' in c: c['outputs'] = keep
    return nb

def problems(fn):
    "The kinds of trouble in notebook `fn`'s stored outputs, and the transformers versions its `report()` lines name."
    found, versions = set(), set()
    nb = json.loads(fn.read_text(encoding='utf-8'))
    n_outputs = lambda nb: [len(c.get('outputs', [])) for c in nb['cells']]
    if n_outputs(strip(json.loads(fn.read_text(encoding='utf-8')))) != n_outputs(nb): found.add('bar')     # what strip would remove
    for c in nb['cells']:
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream' and o.get('name') == 'stderr': found.add('stderr')
            if ABS_PATH.search(_text(o) + _html(o)): found.add('path')
            m = re.search(r'· transformers (\S+)', _text(o))
            if m: versions.add(m[1])
    return found, versions

def test_strip_keeps_the_last_epoch_table():
    table = lambda rows: {'output_type': 'display_data', 'data': {'text/plain': ['<IPython.core.display.HTML object>'], 'text/html': [
        '<div><table class="fastprogress"><thead><tr><th>epoch</th><th>time</th></tr></thead><tbody>' +
        ''.join(f'<tr><td>{r}</td><td>00:0{r}</td></tr>' for r in rows) + '</tbody></table></div>']}, 'metadata': {}}
    style = {'output_type': 'display_data', 'data': {'text/html': ['<style> progress { } </style>']}, 'metadata': {}}
    empty = {'output_type': 'display_data', 'data': {'text/plain': ['<IPython.core.display.HTML object>'], 'text/html': ['']}, 'metadata': {}}
    text = {'output_type': 'stream', 'name': 'stdout', 'text': ['done\n']}
    widget = {'output_type': 'display_data', 'data': {'application/vnd.jupyter.widget-view+json': {'model_id': 'x'},
              'text/plain': ['Loading weights:   0%|          | 0/52']}, 'metadata': {}}
    nb = {'cells': [{'cell_type': 'code', 'outputs': [style, table([0]), empty, table([0, 1]), text, widget, table([0]), table([0, 1])]}]}
    assert strip(nb)['cells'][0]['outputs'] == [table([0, 1]), text, table([0, 1])]      # two runs, each its last frame

def test_versions_are_one_environment():
    "Every lesson's report() line names the same transformers version, apart from lessons KNOWN to predate the test."
    seen = {fn.stem: problems(fn)[1] for fn in LESSONS}
    main = {v for k, vs in seen.items() if 'version' not in KNOWN.get(k, ()) for v in vs}
    assert len(main) == 1, seen
    for k in KNOWN:
        if 'version' in KNOWN[k]: assert seen[k] != main, f'{k}: its report() line now matches; remove "version" from KNOWN'

@pytest.mark.parametrize('fn', LESSONS, ids=lambda f: f.stem)
def test_stored_outputs_are_clean(fn):
    found = problems(fn)[0]
    known = KNOWN.get(fn.stem, set()) - {'version'}
    assert found <= known, f'{fn.name}: stored outputs with {sorted(found - known)}: re-run it and `python tests/test_outputs.py {fn.relative_to(ROOT)}`'
    assert found == known, f'{fn.name}: {sorted(known - found)} fixed: remove it from KNOWN in tests/test_outputs.py'

if __name__ == '__main__':
    for name in sys.argv[1:]:
        p = Path(name); nb = strip(json.loads(p.read_text(encoding='utf-8')))
        p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
        print(f'{p}: progress bars stripped')
