"""How much of the image training loop waits for data: the course's digits loaders three ways, timed by `Throughput`.

The same course learner (the pocket ResNet, random init, `resnet_learner`) trains on scikit-learn's digits through
`digits_dls` with the loader built three ways: fastai's item-by-item path (each PNG opened, decoded and resized for every
item of every epoch), decoded once (one `uint8` tensor, each batch gathered in one step), and decoded once without the
random augmentation. `Throughput` (lesson 00) splits each training batch's wall time into the wait for the batch and the
training step. Prints one Markdown row per loader.

    python bench/data_share.py [--epochs 2] [--bs 64] [--device cpu|cuda]
"""
import argparse
from functools import partial
import torch
from ftcourse.core import Throughput, preset      # first: it quiets a deprecation warning fastai's import would print
from fastai.optimizer import OptimWrapper
from fastai.torch_core import default_device

LOADERS = {'item by item (`decode_once=False`), augmented': dict(decode_once=False),
           'decoded once, augmented': dict(decode_once=True),
           'decoded once, no augmentation': dict(decode_once=True, aug=False)}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    a = p.parse_args(argv)
    if a.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit('--device cuda: no CUDA device here')
    default_device(a.device == 'cuda')
    from ftcourse.data import digits_dls
    from ftcourse.vision import resnet_learner
    print(f"digits, pocket ResNet, batch {a.bs}, {a.epochs} epochs, {torch.cuda.get_device_name() if a.device == 'cuda' else f'cpu, {torch.get_num_threads()} threads'}")
    print('| loader | time per batch waiting for data | time per batch training | data share |\n| --- | --- | --- | --- |')
    for name, kw in LOADERS.items():
        torch.manual_seed(0)
        dls, tp = digits_dls(p=preset('cpu'), bs=a.bs, **kw), Throughput()
        learn = resnet_learner(dls, 'pocket-resnet', pretrained=False, opt_func=partial(OptimWrapper, opt=torch.optim.AdamW), cbs=tp)
        with learn.no_bar(), learn.no_logging(): learn.fit(a.epochs, 1e-4)
        n = tp.n - tp.skip
        print(f'| {name} | {tp.data / n * 1000:.1f} ms | {tp.compute / n * 1000:.1f} ms | {tp.data_share:.3f} |')

if __name__ == '__main__': main()
