"""Run notebooks as `nbdev-test --flags cuda` would, and report each `#|cuda` cell: passed, needs a download, or failed.

    python bench/cuda_cells.py nbs/12_gpu.ipynb [...] [--list]

Each notebook runs top to bottom in one namespace, from its own folder, with IN_TEST set; cells marked `#|eval: false`,
or with a test flag other than `cuda` (the project's `tst_flags`), are left out, as nbdev-test leaves them out; so is a
notebook's `nbdev_export()` cell where nbdev is not installed (a CUDA image may lack it; the cell writes the package and
tests nothing). Unlike
nbdev-test it goes on after a `#|cuda` cell fails, so that a cell that needs data or weights from the internet (a
`DataNotFoundError`, or an error naming an unreachable hub) does not hide the others; a failing cell without the flag
stops its notebook. Each `#|cuda` cell's output (what it prints, and the value of a last line that is an expression,
as a notebook would show it) is printed under a header line. Cells run as plain Python (no IPython or nbdev needed: a CUDA machine may have neither). `--list`
lists the `#|cuda` cells without running anything. The last line counts them; the exit status is 1 if a cell failed.
"""
import argparse, ast, contextlib, json, os, re, sys, time, tomllib
from importlib.util import find_spec
from pathlib import Path

def needs_download(e):
    "Did the cell fail only for want of the internet? (The course says so in its errors.)"
    return type(e).__name__ == 'DataNotFoundError' or 'unreachable' in str(e)

def directives(src):
    "The nbdev directives at the top of a cell (`#| name: value` lines) as a dict."
    d = {}
    for line in src.splitlines():
        m = re.fullmatch(r'#\|\s*([\w-]+):?\s*(.*)', line.strip())
        if not m: break
        d[m[1]] = m[2].strip()
    return d

def test_flags(fn):
    "The `tst_flags` of the nbdev project `fn` belongs to (its nearest pyproject.toml with a [tool.nbdev] table)."
    for d in fn.parents:
        if (d/'pyproject.toml').exists():
            cfg = tomllib.loads((d/'pyproject.toml').read_text()).get('tool', {}).get('nbdev')
            if cfg is not None: return set(cfg.get('tst_flags', '').split())
    return set()

def cells(fn):
    "The code cells of notebook `fn` that `nbdev-test --flags cuda` runs, as (index, id, source, is_cuda)."
    skip = test_flags(fn) - {'cuda'}
    for i, c in enumerate(json.loads(fn.read_text())['cells']):
        src = ''.join(c['source'])
        d = directives(src)
        if 'nbdev_export(' in src and find_spec('nbdev') is None: continue    # it writes the package and tests nothing
        if c['cell_type'] == 'code' and d.get('eval', '').lower() not in ('false', 'no', '0') and not skip & set(d):
            yield i, c.get('id', ''), src, 'cuda' in d

def run_cell(src, name, ns, show=False):
    "Run cell `src` in namespace `ns`; with `show`, print the value of a last line that is an expression, as a notebook shows it."
    tree = ast.parse(src, name)
    last = tree.body.pop() if show and tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, name, 'exec'), ns)
    if last is not None:
        v = eval(compile(ast.Expression(last.value), name, 'eval'), ns)
        if v is not None: print(v, flush=True)

def run(fn):
    "Run notebook `fn`; yield (index, id, outcome, detail) for each `#|cuda` cell, and for a failing cell without the flag."
    ns = {'__name__': '__main__'}
    with contextlib.chdir(fn.parent):
        for i, cid, src, cuda in cells(fn):
            t = time.time()
            if cuda: print(f'--- {fn.name} cell {i} ({cid}), #|cuda: its output ---', flush=True)
            try: run_cell(src, f'{fn.name} cell {i}', ns, show=cuda); e = None
            except Exception as err: e = err
            first = (str(e).strip().splitlines() or [''])[0] if e is not None else ''
            if not cuda:
                if e is not None:
                    yield i, cid, 'FAILED', f'(a cell without #|cuda: the notebook stops) {type(e).__name__}: {first}'
                    return
            elif e is None: yield i, cid, 'passed', f'{time.time() - t:.1f} s'
            else: yield (i, cid, 'needs a download', first) if needs_download(e) else (i, cid, 'FAILED', f'{type(e).__name__}: {first}')

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='+'); p.add_argument('--list', action='store_true', help='only list the #|cuda cells')
    a = p.parse_args(argv)
    os.environ['IN_TEST'] = '1'; os.environ.setdefault('MPLBACKEND', 'Agg')
    sys.path.insert(0, str(Path.cwd()))                  # the project (run from its root), as nbdev-test puts it on the path
    res = []
    for fn in (Path(n).absolute() for n in a.notebooks):
        found = ((i, cid, 'listed', next((l for l in src.splitlines() if not l.startswith('#|')), '')[:80])
                 for i, cid, src, cuda in cells(fn) if cuda) if a.list else run(fn)
        for i, cid, outcome, detail in found:
            print(f'{fn.name} cell {i} ({cid}): {outcome}' + (f': {detail}' if detail else ''), flush=True)
            res.append(outcome)
    counts = {o: res.count(o) for o in ('passed', 'needs a download', 'FAILED', 'listed') if o in res}
    print('cuda cells: ' + (', '.join(f'{n} {o}' for o, n in counts.items()) or 'none'))
    return 1 if 'FAILED' in res else 0

if __name__ == '__main__': sys.exit(main())
