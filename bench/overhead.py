"""What does the course's fastai path cost over a bare PyTorch loop?

Trains the same model (random init) on the same batches twice per round. The course path is what a learner runs: the
course's own DataLoaders (digit PNGs through `image_dls` as `digits_dls` builds them; pydoc texts through `text_dls` with
the MiniLM tokenizer; pydoc texts through `lm_dls` with a GPT-2-style tokenizer trained here) and a `Learner` from the
course's own builder (`resnet_learner`, `encoder_learner`, `lm_learner`: model wrapper, loss, splitter, callbacks). The bare
path is a plain PyTorch loop over the batches of one epoch of that DataLoader, made once and kept on the device, so it
pays nothing for data. Both use torch's AdamW at a constant rate and take the same steps on batches of the same shapes:
the course's epoch is rewound to yield the very batches the bare loop trains on (only the images' random augmentations
differ), and the script checks the shapes. A first round warms both paths up and is not counted; then rounds alternate
which path goes first, each path restarting from the same initial weights. Prints each round, the median throughput of
each path, and as its last line `ratio=<course/bare>`.

    python bench/overhead.py --family {resnet,bert,gpt} --device {cpu,cuda} [--steps N] [--rounds R] [--bs B] [--no-aug]
                             [--opt adamw|fused|fastai]

`--no-aug` (resnet) builds the image loaders without the random augmentation, to tell the cost of the loader itself
from the cost of augmenting: the bare loop never pays for augmentation, so on a CPU, where augmenting and training share
the same cores, the augmented ratio counts it as overhead. `--opt fastai` steps the course path with fastai's own `Adam`
(a Python loop over the parameter tensors), the optimizer the course's runs use, instead of torch's AdamW: the ratio then
also counts what that optimizer costs.
"""
import argparse, copy, statistics, time
from functools import partial
import numpy as np, pandas as pd, torch
from torch import nn
from ftcourse.core import preset, versions      # first: it quiets a deprecation warning fastai's import would print
from fastai.callback.core import Callback
from fastai.optimizer import OptimWrapper
from fastai.torch_core import default_device

AMP_NAMES = {None: 'fp32', torch.bfloat16: 'bf16', torch.float16: 'fp16'}
SETTINGS = dict(cpu=dict(resnet=(64, 40), bert=(32, 12), gpt=(32, 30)),          # (batch size, steps per run)
                cuda=dict(resnet=(64, 200), bert=(64, 100), gpt=(32, 200)))

def task(name, bs, steps, device, aug=True):
    "The course's DataLoaders for `name` (an epoch: `steps` batches of `bs`), a `make(**kw)` for its Learner (random init), the unit counted."
    from ftcourse.data import pydoc_frame
    p, n = preset('gpu' if device == 'cuda' else 'cpu'), steps * bs
    if name == 'resnet':
        from ftcourse.data import image_dls, folder_frame, digits_folder, DIGITS_SIZE
        from ftcourse.vision import resnet_learner
        df = folder_frame(digits_folder()).assign(label=lambda d: d.label.astype(int))
        trn = df.sample(n, replace=n > len(df), random_state=0)                 # validation (not timed): a batch of it
        df = pd.concat([trn.assign(is_valid=False), trn[:bs].assign(is_valid=True)], ignore_index=True)
        dls = image_dls(df, size=DIGITS_SIZE, flip=False, aug=aug, bs=bs, p=p)                      # digits_dls's pipeline, n rows
        return dls, lambda **kw: resnet_learner(dls, 'pocket-resnet', pretrained=False, **kw), 'images'
    texts = pydoc_frame()
    if name == 'bert':
        from ftcourse.data import text_dls
        from ftcourse.encoders import encoder_tokenizer, encoder_learner, MINILM
        trn = texts.sample(n, replace=n > len(texts), random_state=0)
        dls = text_dls(trn, trn[:bs], encoder_tokenizer(MINILM), bs=bs, p=p)
        return dls, lambda **kw: encoder_learner(dls, MINILM, pretrained=False, **kw), 'tokens'
    if name == 'gpt':
        from transformers import GPT2Config, GPT2LMHeadModel
        from ftcourse.decoders import POCKET_GPT_RECIPE as r, train_tokenizer
        from ftcourse.decoders import lm_dls, lm_blocks, lm_learner
        texts = list(texts.text)
        tok, block = train_tokenizer(texts, r['vocab_size']), r['block_size']
        repeat = -(-n // len(lm_blocks(texts, tok, block)))                     # enough text for n blocks
        dls = lm_dls(texts * repeat, texts[:50], tok, block, bs)
        dls.train.n = n                                                          # an epoch: the first n blocks, shuffled
        cfg = GPT2Config(vocab_size=len(tok), n_positions=block, n_embd=r['n_embd'], n_layer=r['n_layer'], n_head=r['n_head'],
                         bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
        return dls, lambda **kw: lm_learner(dls, GPT2LMHeadModel(cfg), pretrained=False, **kw), 'tokens'   # the pocket GPT's shape

def one_epoch(dl, device):
    "The batches of one epoch of `dl` as plain tensors on `device`, and a `rewind()` after which `dl`'s next epoch yields them again."
    rng, np_state = dl.rng.getstate(), np.random.get_state()      # fastai's order (plain and SortedDL) comes from these two
    batches = [tuple(t.as_subclass(torch.Tensor).to(device) for t in b) for b in dl]
    def rewind(): dl.rng.setstate(rng); np.random.set_state(np_state)
    return batches, rewind

def sync(device):
    if device == 'cuda': torch.cuda.synchronize()

class _TrainTime(Callback):
    "Wall time of the training loop of one epoch (data loading, callbacks and all), as the user would see it; and each batch's input shape."
    def __init__(self, device): self.device, self.shapes = device, []
    def before_train(self): sync(self.device); self.t0 = time.perf_counter()
    def before_batch(self):
        if self.training: self.shapes.append(tuple(self.xb[0].shape))
    def after_train(self): sync(self.device); self.seconds = time.perf_counter() - self.t0

OPTS = {'adamw': partial(OptimWrapper, opt=torch.optim.AdamW),                          # what the bare loop steps with
        'fused': partial(OptimWrapper, opt=partial(torch.optim.AdamW, fused=True)),     # the same, one fused kernel (CUDA)
        'fastai': None}                                                                 # the course's own: fastai's Adam

def course(make, init, rewind, shapes, device, lr, opt='adamw'):
    "One epoch through the course's Learner from weights `init`, stepping with optimizer `opt` (`OPTS`); returns seconds of training."
    timer = _TrainTime(device)
    learn = make(**({} if OPTS[opt] is None else {'opt_func': OPTS[opt]}), lr=lr, cbs=timer)
    learn.model.load_state_dict(init)
    rewind()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, lr)
    if timer.shapes != shapes: raise SystemExit(f'the course saw other batches than the bare loop: {timer.shapes[:3]}... vs {shapes[:3]}...')
    return timer.seconds

def precision(learn):
    "The autocast dtype (or None) and memory format the course's `learn` trains in: what its callbacks set up."
    mp = getattr(learn, 'mixed_precision', None)
    dtype = None if mp is None else torch.bfloat16 if mp.amp_mode.value == 'bf16' else torch.float16
    return dtype, torch.channels_last if hasattr(learn, 'channels_last') else torch.contiguous_format

def bare(learn, init, batches, device, lr):
    "The same steps as a plain PyTorch loop over pre-made batches, on `learn`'s model from weights `init`, in its precision and memory format; returns seconds of training."
    dtype, fmt = precision(learn)
    model = learn.model.to(device, memory_format=fmt).train()
    model.load_state_dict(init)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    scaler, loss_fn = torch.amp.GradScaler(device, enabled=dtype == torch.float16), nn.CrossEntropyLoss()
    sync(device); t0 = time.perf_counter()
    for xb, yb in batches:
        with torch.autocast(device, dtype=dtype, enabled=dtype is not None):
            out = model(xb).float()
            loss = loss_fn(out.reshape(-1, out.shape[-1]), yb.reshape(-1))
        scaler.scale(loss).backward(); scaler.step(opt); scaler.update(); opt.zero_grad()
    sync(device)
    return time.perf_counter() - t0

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--family', choices=('resnet', 'bert', 'gpt'), required=True)
    p.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    p.add_argument('--bs', type=int); p.add_argument('--steps', type=int); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--no-aug', dest='aug', action='store_false', help='resnet: no random augmentation in the loader')
    p.add_argument('--opt', choices=tuple(OPTS), default='adamw', help="the course path's optimizer: torch's AdamW as the bare "
                   "loop (default), the same fused, or fastai's Adam, the one the course's own runs step with")
    a = p.parse_args(argv)
    if a.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit('--device cuda: no CUDA device here')
    if a.opt == 'fused' and a.device != 'cuda': raise SystemExit('--opt fused: a fused AdamW needs --device cuda')
    bs0, steps0 = SETTINGS[a.device][a.family]
    bs, steps, lr = a.bs or bs0, a.steps or steps0, 1e-4
    default_device(a.device == 'cuda')                             # where the course's loaders and learners go
    torch.manual_seed(0)
    dls, make, unit = task(a.family, bs, steps, a.device, a.aug)
    batches, rewind = one_epoch(dls.train, a.device)
    shapes = [tuple(x.shape) for x, _ in batches]
    per_run = sum(x.numel() for x, _ in batches) if unit == 'tokens' else steps * bs
    learn0 = make()
    init, (dtype, fmt) = copy.deepcopy(learn0.model.state_dict()), precision(learn0)
    import fastai, platform
    print(f"{a.family} on {a.device} ({torch.cuda.get_device_name() if a.device == 'cuda' else f'{torch.get_num_threads()} threads'}): "
          f"{sum(q.numel() for q in learn0.model.parameters()):,} parameters, batch {bs} x {'x'.join(map(str, shapes[0][1:]))}, "
          f"{steps} steps per run ({per_run:,} {unit}), {dls.train.fake_l.num_workers} loader workers, "
          f"{'' if a.family != 'resnet' else 'augmented, ' if a.aug else 'no augmentation, '}"
          f"{'decoded once, ' if type(getattr(dls.train, 'gather', None)).__name__ == 'DecodedImages' else ''}{AMP_NAMES[dtype]}, "
          f"course optimizer {a.opt}"
          f"{', channels-last' if fmt == torch.channels_last else ''}, {a.rounds} rounds after a warm-up; "
          f"torch {torch.__version__}, fastai {fastai.__version__}, ftcourse {versions()['ftcourse']}, python {platform.python_version()}")
    def run(path):
        if path == 'course': return course(make, init, rewind, shapes, a.device, lr, a.opt)
        return bare(make(), init, batches, a.device, lr)
    runs = {'course': [], 'bare': []}
    run('course'); run('bare')                                      # warm-up: first-call costs out of the timing
    for r in range(a.rounds):
        for path in (('course', 'bare') if r % 2 == 0 else ('bare', 'course')): runs[path].append(per_run / run(path))
        print(f"round {r + 1}: course {runs['course'][-1]:,.0f} {unit}/s, bare {runs['bare'][-1]:,.0f} {unit}/s")
    c, b = statistics.median(runs['course']), statistics.median(runs['bare'])
    print(f'median: course {c:,.0f} {unit}/s, bare {b:,.0f} {unit}/s')
    print(f'ratio={c / b:.3f}')

if __name__ == '__main__': main()
