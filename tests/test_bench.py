"""The benchmarks run on this CPU: bench/overhead.py for every family, bench/mfu.py and bench/memory.py in their CPU modes,
bench/cuda_cells.py on a small notebook, and bench/gpu_check.sh's dry run to its table (the figures live in bench/RESULTS.md)."""
import importlib.util, json, os, re, subprocess, sys
import pytest, torch
from conftest import ROOT

def bench(script, *args, timeout=300, **env):
    "Run `bench/SCRIPT ARGS` with this Python; returns the CompletedProcess."
    return subprocess.run([sys.executable, f'bench/{script}', *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, 'FTCOURSE_OFFLINE': '1', **env})

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason='this machine has CUDA')

@pytest.mark.parametrize('family', ['resnet', 'bert', 'gpt'])
def test_overhead_prints_a_ratio(family):
    r = bench('overhead.py', '--family', family, '--device', 'cpu', '--steps', 2, '--rounds', 1, '--bs', 4)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r'ratio=\d+\.\d{3}', last), last
    assert float(last[6:]) > 0

@no_cuda
@pytest.mark.parametrize('script', ['overhead.py --family gpt --device cuda', 'mfu.py', 'memory.py'])
def test_gpu_benchmarks_refuse_without_cuda(script):
    r = bench(*script.split(), timeout=120)
    assert r.returncode != 0 and 'no CUDA device here' in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr

def test_chunked_lm_loss_is_cross_entropy():
    "bench/mfu.py's GPT-2 loss (logits made and differentiated chunk by chunk) gives the loss and gradients of the usual one."
    spec = importlib.util.spec_from_file_location('mfu', ROOT/'bench'/'mfu.py'); mfu = importlib.util.module_from_spec(spec); spec.loader.exec_module(mfu)
    torch.manual_seed(0)
    h, w, y = torch.randn(2, 37, 16, requires_grad=True), torch.randn(50, 16, requires_grad=True), torch.randint(0, 50, (2, 37))
    loss = mfu.chunked_lm_loss(h, y, w, chunk=10); loss.backward()
    gh, gw = h.grad, w.grad; h.grad = w.grad = None
    ref = torch.nn.functional.cross_entropy((h @ w.t()).flatten(0, 1), y.flatten()); ref.backward()
    torch.testing.assert_close(loss, ref); torch.testing.assert_close(gh, h.grad); torch.testing.assert_close(gw, w.grad)
    with torch.no_grad(): torch.testing.assert_close(mfu.chunked_lm_loss(h, y, w, chunk=10), ref)

def test_cuda_cells_reports_every_cuda_cell(tmp_path):
    "Cells without the flag run as usual; each #|cuda cell passes, needs a download, or fails, and the run goes on, showing its output; #|slow is skipped."
    (tmp_path/'pyproject.toml').write_text('[tool.nbdev]\ntst_flags = "slow cuda"\n')
    src = ['x = 1', '#| cuda\nassert x == 1', "#| cuda\nclass DataNotFoundError(Exception): pass\nraise DataNotFoundError('pets: not here')",
           "#| cuda\nraise RuntimeError('CUDA error')", "#| slow\nraise ValueError('never run')", '#| cuda\nx += 1', '#| cuda\nprint("x is", x); x * 10']
    nb = dict(nbformat=4, nbformat_minor=5, metadata=dict(kernelspec=dict(language='python', name='python3', display_name='Python 3')),
              cells=[dict(cell_type='code', id=f'c{i}', metadata={}, source=s, outputs=[], execution_count=None) for i, s in enumerate(src)])
    (tmp_path/'t.ipynb').write_text(json.dumps(nb))
    r = bench('cuda_cells.py', tmp_path/'t.ipynb', timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    outcomes = [l.split(': ', 1)[1].split(':')[0] for l in r.stdout.splitlines() if l.startswith('t.ipynb cell ')]
    assert outcomes == ['passed', 'needs a download', 'FAILED', 'passed', 'passed'], r.stdout
    assert r.stdout.splitlines()[-1] == 'cuda cells: 3 passed, 1 needs a download, 1 FAILED'
    last = r.stdout.split('t.ipynb cell 6 (c6), #|cuda: its output ---\n')[1].splitlines()
    assert last[:2] == ['x is 2', '20'], r.stdout          # what the cell prints, then its last line's value, as a notebook shows them

@pytest.fixture(scope='module')
def dry_run(tmp_path_factory):
    "bench/gpu_check.sh --dry-run, once: every step at toy size on the CPU. Returns (process, folder of its logs and figures)."
    out = tmp_path_factory.mktemp('gpu_check')
    r = subprocess.run(['bash', 'bench/gpu_check.sh', '--dry-run'], capture_output=True, text=True, cwd=ROOT, timeout=600,
                       env={**os.environ, 'PYTHON': sys.executable, 'GPU_CHECK_OUT': str(out), 'FTCOURSE_OFFLINE': '1'})
    return r, out

def test_gpu_check_dry_run_reaches_its_table(dry_run):
    r, out = dry_run
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    table = r.stdout[r.stdout.index('| step | figure | target | result |'):].strip().splitlines()
    assert all(l.startswith('| ') and l.endswith(' |') for l in table)
    steps = [l.split(' | ')[0][2:] for l in table[2:]]
    for s in ('overhead resnet', 'overhead bert', 'overhead gpt', 'resnet50 (course', 'gpt2 (bare', 'gpt2: course / bare',
              'memory: bert-base, batch 32 x 512', 'memory: gpt2 language model', 'MiniLM', 'pocket GPT build', 'lesson 12', 'all steps'):
        assert any(x.startswith(s) for x in steps), (s, steps)
    assert 'FAIL' not in '\n'.join(table)

def test_mfu_tiny_runs_both_paths(dry_run):
    "In the dry run, bench/mfu.py --device cpu --tiny trains each model through the course's Learner and bare, and compares them."
    r, out = dry_run
    recs = json.loads((out/'mfu.json').read_text())
    assert [(x['family'], x['path']) for x in recs] == [(f, p) for f in ('resnet50', 'bert-base', 'gpt2') for p in ('course', 'bare')]
    assert all(x['samples_per_s'] > 0 and x['mfu'] is None and x['peak_gib'] is None for x in recs)
    assert re.fullmatch(r'course/bare: resnet50 [\d.]+, bert-base [\d.]+, gpt2 [\d.]+', (out/'mfu.log').read_text().strip().splitlines()[-1])

def test_memory_cpu_builds_every_learner(dry_run):
    "In the dry run, bench/memory.py --device cpu builds each case's learner and its batches have the sizes measured on a GPU."
    r, out = dry_run
    assert len(json.loads((out/'memory.json').read_text())['cases']) == 8
    shapes = re.findall(r'built, batch (\(.*?\))', (out/'memory.log').read_text())
    assert shapes == ['(64, 3, 224, 224)', '(64, 128)', '(32, 512)', '(64, 128)', '(32, 512)', '(16, 128)', '(128, 128)', '(128, 128)']
    assert 'with LoRA (r=8)' in (out/'memory.log').read_text()

def test_data_share_prints_a_row_per_loader():
    r = bench('data_share.py', '--epochs', 1, '--bs', 256)
    assert r.returncode == 0, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.startswith('| ') and 'ms |' in l]
    assert len(rows) == 3, r.stdout
    assert all(0 <= float(l.rstrip(' |').rsplit('| ', 1)[1]) < 1 for l in rows), rows

def test_ddp_bench_times_one_and_two_processes():
    "bench/ddp.py: the same run on one process and on two (torchrun, gloo), a row each and the speedup."
    r = bench('ddp.py', '--family', 'resnet', '--strategy', 'frozen', '--preset', 'smoke', timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [l for l in r.stdout.splitlines() if re.match(r'\| [12] \| cpu', l)]
    assert len(rows) == 2 and re.fullmatch(r'speedup=\d+\.\d\d', r.stdout.strip().splitlines()[-1]), r.stdout

def test_ddp_bench_needs_two_gpus():
    if torch.cuda.device_count() >= 2: pytest.skip('this machine has several GPUs')
    r = bench('ddp.py', '--device', 'cuda', timeout=120)
    assert r.returncode != 0 and 'needs at least 2 GPUs here' in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr

SST2 = os.environ.get('FTCOURSE_DATA')

@pytest.mark.skipif(not (SST2 and os.path.isdir(os.path.join(SST2, 'sst2'))), reason='needs FTCOURSE_DATA with sst2/ (CI has it)')
def test_lora_bench_reports_the_gap(tmp_path):
    "bench/lora.py --quick: a rate per strategy on the carved split, the test runs, another rank at lora's rate, and the gap as its last line."
    r = bench('lora.py', '--family', 'gpt', '--preset', 'smoke', '--n-train', 64, '--seeds', 2, '--ranks', '8,2', '--quick', '--json', tmp_path/'lora.json',
              timeout=600, FTCOURSE_DATA=SST2)
    assert r.returncode == 0, r.stderr[-3000:]
    last = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r'gap=-?\d+\.\d trained=\d+\.\d\d', last), last
    recs = json.loads((tmp_path/'lora.json').read_text())['records']
    assert sorted({(x['strategy'], x['seed']) for x in recs}) == [(s, k) for s in ('discriminative', 'lora', 'lora r=2') for k in (42, 43)]
    assert {x['lr'] for x in recs if x['strategy'].startswith('lora')} == {3e-3}          # the other rank runs at the rate chosen for r=8
    bad = bench('lora.py', '--strategies', 'discriminative')
    assert bad.returncode == 2 and 'must include lora' in bad.stderr
