"Lesson 14's early stopping over a strategy's whole run, with a validation loss that must rise: labels swapped between training and validation."
import torch
from torch import nn
from fastai.learner import Learner
from fastai.data.core import DataLoaders
from fastai.losses import CrossEntropyLossFlat
from fastai.metrics import accuracy
from ftcourse.core import seed_everything
from ftcourse.strategies import fit_strategy, run_strategy
from ftcourse.little import with_early_stop, stopped_at

def swapped_learner(patience, n=64):
    "A small MLP in two layer groups; its validation set is its training set with the labels swapped, so learning raises the validation loss."
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, generator=g) + torch.tensor([3., 0.]) * (torch.arange(n) % 2)[:, None]
    y = torch.arange(n) % 2
    trn, val = list(zip(x, y)), list(zip(x, 1 - y))
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    learn = Learner(DataLoaders.from_dsets(trn, val, bs=16), model, loss_func=CrossEntropyLossFlat(), metrics=accuracy,
                    splitter=lambda m: [list(m[0].parameters()), list(m[2].parameters())])
    return with_early_stop(learn, patience)

def test_early_stop_counts_over_fine_tunes_two_fits():
    "fine_tune: one frozen epoch (the best: the loss only rises after it), then the unfrozen fit stops after `patience` more epochs in all, not per fit."
    seed_everything(0)
    learn = swapped_learner(patience=2)
    with learn.no_bar(), learn.no_logging(): fit_strategy(learn, 'fine_tune', 20, 0.1)
    assert stopped_at(learn) == dict(epochs=3, best_epoch=1, stopped=True)

def test_the_best_epoch_comes_back_and_validate_still_works():
    "After the run the model has the best epoch's weights, and `validate`/`get_preds` (which fastai runs as a one-epoch fit) leave the callbacks alone."
    seed_everything(0)
    make = lambda pretrained: swapped_learner(patience=3)
    rec, learn = run_strategy(make, 'full', 25, 0.1, return_learner=True)
    losses = [h['valid_loss'] for h in rec['history']]
    assert len(losses) == stopped_at(learn)['epochs'] < 25
    assert abs(rec['valid_loss'] - min(losses)) < 1e-5                        # judged with the best epoch's weights
    with learn.no_bar(): learn.validate(); learn.get_preds()
    assert stopped_at(learn)['epochs'] == len(losses)                          # validating counted no epoch
