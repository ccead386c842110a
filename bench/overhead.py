"""What does the course's fastai path cost over a bare PyTorch loop?

Trains the same model on the same batches with the same batch size and optimizer (torch's AdamW, constant rate) twice per
round: once through a fastai `Learner` built the way the course builds it (its model wrapper, loss, splitter, callbacks),
once through the plain loop written below. Rounds alternate which path goes first; each path restarts from the same
initial weights. Prints each round, the median throughput of each path, and as its last line `ratio=<course/bare>`.

    python bench/overhead.py --family {resnet,bert,gpt} --device {cpu,cuda} [--steps N] [--rounds R] [--bs B]
"""
import argparse, copy, statistics, sys, time
from functools import partial
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader as TorchDL
from fastai.callback.core import Callback
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.optimizer import OptimWrapper

SETTINGS = dict(resnet=dict(bs=64, steps=40), bert=dict(bs=32, steps=12), gpt=dict(bs=32, steps=30))   # CPU-sized defaults

def family(name, bs, n):
    "The course's model for `name` (random init: speed does not depend on the weights), `n` batches of its inputs, its splitter."
    g = torch.Generator().manual_seed(0)
    if name == 'resnet':
        from fastai.vision.learner import create_vision_model
        from ftcourse.pocket import pocket_resnet
        from ftcourse.vision import resnet_splitter
        model = create_vision_model(pocket_resnet, n_out=5, pretrained=False)
        x, y = torch.randn(n * bs, 3, 64, 64, generator=g), torch.randint(0, 5, (n * bs,), generator=g)
        return model, x, y, resnet_splitter, 'images'
    if name == 'bert':
        from transformers import AutoModel, AutoConfig
        from ftcourse.encoders import EncoderClassifier, encoder_splitter, load_pretrained, MINILM
        model = EncoderClassifier(AutoModel.from_config(load_pretrained(AutoConfig, MINILM)), 2, pad_id=0)
        x, y = torch.randint(1000, 30000, (n * bs, 64), generator=g), torch.randint(0, 2, (n * bs,), generator=g)
        return model, x, y, encoder_splitter, 'tokens'
    if name == 'gpt':
        from transformers import GPT2Config, GPT2LMHeadModel
        from ftcourse.pocket import POCKET_GPT_RECIPE as r
        from ftcourse.decoders import CausalLM, decoder_splitter
        cfg = GPT2Config(vocab_size=r['vocab_size'], n_positions=r['block_size'], n_embd=r['n_embd'], n_layer=r['n_layer'],
                         n_head=r['n_head'], bos_token_id=0, eos_token_id=0)
        model = CausalLM(GPT2LMHeadModel(cfg))                    # the pocket GPT's architecture, as a causal LM
        t = torch.randint(1, r['vocab_size'], (n * bs, r['block_size'] + 1), generator=g)
        return model, t[:, :-1].contiguous(), t[:, 1:].contiguous(), decoder_splitter, 'tokens'
    raise SystemExit(f'unknown family {name!r}')

def sync(device):
    if device == 'cuda': torch.cuda.synchronize()

class _TrainTime(Callback):
    "Wall time of the training loop of one epoch (data loading, callbacks and all), as the user would see it."
    def __init__(self, device): self.device = device
    def before_train(self): sync(self.device); self.t0 = time.perf_counter()
    def after_train(self): sync(self.device); self.seconds = time.perf_counter() - self.t0

def course(model, x, y, splitter, bs, device, lr):
    "One epoch over (x, y) through a fastai Learner as the course builds one; returns seconds of training."
    trn = DataLoader(list(zip(x, y)), bs=bs, shuffle=False, drop_last=True, device=device)
    val = DataLoader(list(zip(x[:bs], y[:bs])), bs=bs, device=device)
    timer = _TrainTime(device)
    learn = Learner(DataLoaders(trn, val, device=device), model, loss_func=CrossEntropyLossFlat(), splitter=splitter,
                    opt_func=partial(OptimWrapper, opt=torch.optim.AdamW), lr=lr, cbs=timer)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, lr)
    return timer.seconds

def bare(model, x, y, bs, device, lr):
    "The same epoch as a plain PyTorch loop; returns seconds of training."
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    dl = TorchDL(TensorDataset(x, y), batch_size=bs, shuffle=False, drop_last=True)
    loss_fn = nn.CrossEntropyLoss()
    sync(device); t0 = time.perf_counter()
    for xb, yb in dl:
        xb, yb = xb.to(device), yb.to(device)
        out = model(xb)
        loss = loss_fn(out.reshape(-1, out.shape[-1]), yb.reshape(-1))
        loss.backward(); opt.step(); opt.zero_grad()
    sync(device)
    return time.perf_counter() - t0

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--family', choices=tuple(SETTINGS), required=True)
    p.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    p.add_argument('--bs', type=int); p.add_argument('--steps', type=int); p.add_argument('--rounds', type=int, default=3)
    a = p.parse_args(argv)
    if a.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit('--device cuda: no CUDA device here')
    bs, steps = a.bs or SETTINGS[a.family]['bs'], a.steps or SETTINGS[a.family]['steps']
    torch.manual_seed(0)
    model0, x, y, splitter, unit = family(a.family, bs, steps)
    per = x[0].numel() if unit == 'tokens' else 1
    import fastai, platform
    from ftcourse.core import versions
    print(f"{a.family} on {a.device} ({torch.cuda.get_device_name() if a.device == 'cuda' else f'{torch.get_num_threads()} threads'}): "
          f"{sum(q.numel() for q in model0.parameters()):,} parameters, batch {bs}, {steps} steps per run, {a.rounds} rounds; "
          f"torch {torch.__version__}, fastai {fastai.__version__}, ftcourse {versions()['ftcourse']}, python {platform.python_version()}")
    runs = {'course': [], 'bare': []}
    course(copy.deepcopy(model0), x[:2 * bs], y[:2 * bs], splitter, bs, a.device, 1e-4)   # warm-up: first-call costs out of the timing
    bare(copy.deepcopy(model0), x[:2 * bs], y[:2 * bs], bs, a.device, 1e-4)
    for r in range(a.rounds):
        order = ('course', 'bare') if r % 2 == 0 else ('bare', 'course')
        for path in order:
            m = copy.deepcopy(model0)
            s = course(m, x, y, splitter, bs, a.device, 1e-4) if path == 'course' else bare(m, x, y, bs, a.device, 1e-4)
            runs[path].append(steps * bs * per / s)
        print(f"round {r + 1}: course {runs['course'][-1]:,.0f} {unit}/s, bare {runs['bare'][-1]:,.0f} {unit}/s")
    c, b = statistics.median(runs['course']), statistics.median(runs['bare'])
    print(f'median: course {c:,.0f} {unit}/s, bare {b:,.0f} {unit}/s')
    print(f'ratio={c / b:.3f}')

if __name__ == '__main__': main()
