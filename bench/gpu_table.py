"""The one table of bench/gpu_check.sh: each step's figure, its target and whether it met it, from the logs and figures in OUT.

    python bench/gpu_table.py OUT [--dry]

Exit status 1 if a step failed, was skipped or missed its target. With `--dry` (toy sizes on a CPU) figures are shown but
no target is judged, since they measure nothing about a GPU, and a skipped step is no failure.
"""
import argparse, json, re, sys
from pathlib import Path

RESNET50_TODAY = 4724                      # img/s: the figure the issue gives for ResNet-50 before this work
TARGETS = dict(overhead=0.95, ratio=0.95, resnet50=1.3 * RESNET50_TODAY, mfu={'bert-base': 0.40, 'gpt2': 0.35}, budget=360)

def status(out, name):
    "'ok', or why the step gave nothing: its exit status, a timeout, or the reason it was skipped."
    f = out/f'{name}.rc'
    if not f.exists(): return 'not run'
    s = f.read_text().strip()
    if s.startswith('skipped'): return s
    rc = int(s.split()[0])
    return 'ok' if rc == 0 else 'FAILED (timed out)' if rc in (124, 137) else f'FAILED (exit {rc})'

def log(out, name): return (out/f'{name}.log').read_text() if (out/f'{name}.log').exists() else ''

def rows(out, dry):
    "(step, figure, target, result) for every figure the steps give."
    def judge(ok): return 'dry run' if dry else 'pass' if ok else 'FAIL'
    for f in ('resnet', 'bert', 'gpt', 'bert-fastai-adam'):
        st, m = status(out, f'overhead-{f}'), re.search(r'^ratio=([\d.]+)$', log(out, f'overhead-{f}'), re.M)
        if f == 'bert-fastai-adam':       # a diagnosis, not a target: what fastai's Adam costs against torch's AdamW
            if st != 'not run': yield ('overhead bert, course stepping with fastai\'s Adam / bare', m[1] if m else '', 'read beside the bert row', 'dry run' if dry else st)
            continue
        yield (f'overhead {f}: course / bare', m[1] if m else '', f"≥ {TARGETS['overhead']}",
               judge(float(m[1]) >= TARGETS['overhead']) if st == 'ok' and m else st)
    st = status(out, 'mfu')
    mfu = json.loads((out/'mfu.json').read_text()) if st == 'ok' else []
    for r in mfu:
        fig = (f"{r['samples_per_s']:,.0f} samples/s, " + (f"MFU {100 * r['mfu']:.1f}%" if r['mfu'] is not None else f"{r['tflops']:.3g} TFLOPS") +
               (f", {r['peak_gib']:.1f} GiB" if r['peak_gib'] is not None else ''))
        if r['family'] == 'resnet50': target, ok = f"≥ {TARGETS['resnet50']:,.0f} samples/s (1.3 × {RESNET50_TODAY:,})", r['samples_per_s'] >= TARGETS['resnet50']
        else: target, ok = f"MFU ≥ {100 * TARGETS['mfu'][r['family']]:.0f}%", (r['mfu'] or 0) >= TARGETS['mfu'][r['family']]
        yield f"{r['family']} ({r['path']}, {'fp32' if r['amp'] == 'off' else r['amp']})", fig, target, judge(ok)
    sp = {(r['family'], r['path']): r['samples_per_s'] for r in mfu}
    for fam in dict.fromkeys(r['family'] for r in mfu):
        if (fam, 'course') in sp and (fam, 'bare') in sp:
            x = sp[fam, 'course'] / sp[fam, 'bare']
            yield f'{fam}: course / bare', f'{x:.3f}', f"≥ {TARGETS['ratio']}", judge(x >= TARGETS['ratio'])
    if not mfu: yield 'bench/mfu.py', '', '', st
    st = status(out, 'memory')
    mem = json.loads((out/'memory.json').read_text()) if (out/'memory.json').exists() else None
    for c in (mem or {}).get('cases', []):
        yield (f"memory: {c['case']}, fp16", 'not measured (no CUDA)' if c['ok'] is None else f"{c['peak_gib']:.2f} GiB" if c['ok'] else 'out of memory',
               f"≤ {mem['cap_gib']:g} GiB", 'dry run' if dry else 'pass' if c['ok'] else 'FAIL')
    if not mem: yield 'bench/memory.py', '', '', st
    st, res = status(out, 'minilm'), out/'minilm'/'results.json'
    if st == 'ok' and res.exists():
        r = json.loads(res.read_text())[0]
        sps = r.get('samples_per_s')
        yield (f"MiniLM, {r['preset']} preset, {r['strategy']}", f"{r['metric']} {r['value']:.3f}, {r['train_seconds'] / r['epochs']:.1f} s/epoch, "
               + (f'{sps:,.0f} sentences/s' if sps == sps and sps else 'sentences/s not recorded'), 'runs', 'dry run' if dry else 'pass')
    else: yield 'MiniLM, gpu preset', '', 'runs', st
    st, m = status(out, 'pocket-gpt'), re.search(r'pocket GPT built in ([\d.]+) s', log(out, 'pocket-gpt'))
    yield 'pocket GPT build', f'{m[1]} s' if m else '', 'builds', ('dry run' if dry else 'pass') if st == 'ok' and m else st
    st, m = status(out, 'cuda-cells'), re.search(r'^cuda cells: (.*)$', log(out, 'cuda-cells'), re.M)
    yield 'lesson 12: #\\|cuda cells', m[1] if m else '', 'none fails', ('dry run' if dry else 'pass') if st == 'ok' and m else st
    total = int((out/'total.seconds').read_text())
    yield 'all steps', f'{total} s', f"≤ {TARGETS['budget']} s", judge(total <= TARGETS['budget'])

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('out'); p.add_argument('--dry', action='store_true')
    a = p.parse_args(argv)
    if a.dry: print('DRY RUN: toy sizes on the CPU; no figure below is a GPU measurement.\n')
    print('| step | figure | target | result |\n| --- | --- | --- | --- |')
    results = []
    for step, fig, target, result in rows(Path(a.out), a.dry):
        print(f'| {step} | {fig} | {target} | {result} |'); results.append(result)
    return 1 if any(r.startswith(('FAIL', 'not run')) or (r.startswith('skipped') and not a.dry) for r in results) else 0

if __name__ == '__main__': sys.exit(main())
