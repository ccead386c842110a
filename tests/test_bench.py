"bench/overhead.py runs for every family on the CPU and ends with the ratio line (the figures themselves live in bench/RESULTS.md)."
import re, subprocess, sys
import pytest
from conftest import ROOT

@pytest.mark.parametrize('family', ['resnet', 'bert', 'gpt'])
def test_overhead_prints_a_ratio(family):
    r = subprocess.run([sys.executable, 'bench/overhead.py', '--family', family, '--device', 'cpu', '--steps', '2', '--rounds', '1', '--bs', '4'],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r'ratio=\d+\.\d{3}', last), last
    assert float(last[6:]) > 0

def test_overhead_refuses_cuda_without_a_gpu():
    import torch
    if torch.cuda.is_available(): pytest.skip('this machine has CUDA')
    r = subprocess.run([sys.executable, 'bench/overhead.py', '--family', 'gpt', '--device', 'cuda'], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0 and 'no CUDA device here' in r.stderr
