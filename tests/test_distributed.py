"Data-parallel training from the outside (lesson 12): the `ftcourse` command under `torchrun` with two CPU processes (gloo), against one process with the same global batch and seed."
import json
import pytest, torch
from conftest import ftcourse
from ftcourse.compare import ALL_STRATEGIES, family_task
from ftcourse.strategies import save_results

# How far one smoke-preset run on two processes may land from the one-process run (accuracy). Measured on 2 CPU cores
# (2026-12-06), largest gap over lesson 11's nine strategies: 0.235 for the pocket ResNet (BatchNorm sees 8 images per
# process instead of 16: no SyncBatchNorm on a CPU) and 0.078 for MiniLM (LayerNorm; dropout masks differ). 50 and 256
# training items, a few steps: single runs are noisy. Lesson 12 shows the exact equality where nothing depends on the slice.
TOLERANCE = {'resnet': 0.3, 'bert': 0.12}

@pytest.fixture(scope='module', params=['resnet', 'bert'])
def compared(request, tmp_path_factory):
    fam, d = request.param, tmp_path_factory.mktemp(request.param)
    args = ('compare', fam, '--preset', 'smoke', '--strategies', 'all')
    return fam, d, ftcourse(*args, '--out', d/'two', procs=2), ftcourse(*args, '--out', d/'one')

def test_compare_on_two_processes(compared):
    fam, d, (code2, out2, err2), (code1, out1, err1) = compared
    assert code2 == 0, err2[-3000:]
    assert code1 == 0, err1[-3000:]
    assert out2.count('results:') == 1 and '2 processes x batch' in out2     # rank 0 alone prints; the global batch is stated
    two, one = (json.loads((d/x/'results.json').read_text()) for x in ('two', 'one'))
    assert [r['strategy'] for r in two] == [r['strategy'] for r in one] == list(ALL_STRATEGIES)
    for a, b in zip(two, one):
        assert a['n_valid'] == b['n_valid']                                  # the whole validation set...
        assert a['history'][-1][a['metric']] == a['value']                  # ...in the fit too, not rank 0's share
        assert abs(a['value'] - b['value']) <= TOLERANCE[fam], (a['strategy'], a['value'], b['value'])

def _moved_groups(learn, start):
    "The layer groups of `learn` whose weights (norm layers aside: they train in every strategy, train_bn) differ from `start`'s."
    from fastai.layers import norm_types
    norm = {id(p) for m in learn.model.modules() if isinstance(m, norm_types) for p in m.parameters()}
    return {i for i, (g, g0) in enumerate(zip(learn.splitter(learn.model), start.splitter(start.model)))
            if any(not torch.equal(p.detach().cpu(), p0.detach().cpu()) for p, p0 in zip(g, g0) if id(p) not in norm)}

@pytest.mark.parametrize('strategy,moving', [('frozen', {5}), ('gradual', {3, 4, 5})])
def test_frozen_groups_stay_put(strategy, moving, tmp_path):
    "Under DDP, the groups a strategy leaves frozen do not move, and the ones it thaws (gradual: one more each of 3 epochs, inside one fit) do."
    code, out, err = ftcourse('finetune', 'resnet', '--preset', 'smoke', '--strategy', strategy, '--out', tmp_path, procs=2)
    assert code == 0, err[-3000:]
    from fastai.learner import load_learner
    make, _, _ = family_task('resnet', 'smoke')
    learn = load_learner(tmp_path/'model.pkl')
    assert _moved_groups(learn, make(True)) == moving
    assert not any(type(c).__name__ == 'DDPTrainer' for c in learn.cbs)      # the saved learner is a one-process one

def test_batch_must_split(tmp_path):
    code, out, err = ftcourse('compare', 'resnet', '--preset', 'smoke', '--bs', '15', '--out', tmp_path, procs=2)
    assert code != 0 and err.count('ftcourse: error: batch size 15 does not split over 2 processes: choose a multiple of 2') == 1, err[-2000:]
    assert not (tmp_path/'results.json').exists()

def test_only_rank_0_writes(tmp_path, monkeypatch):
    monkeypatch.setenv('RANK', '1')                      # what torchrun sets in the second process
    save_results([], tmp_path/'r')
    assert not (tmp_path/'r').exists()
