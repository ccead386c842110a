"""Samples/s, model FLOPs utilisation (MFU) and peak memory of training ResNet-50, BERT-base and GPT-2: the course's Learner against a bare loop.

    python bench/mfu.py [--family all|resnet50|bert-base|gpt2] [--path both|course|bare] [--bs N] [--seq 512] [--steps 20]
                        [--amp auto|bf16|fp16] [--compile] [--loss fused|full] [--peak-tflops X] [--json FILE]
    python bench/mfu.py --device cpu --tiny      # the same code on toy sizes: checks the script on a CPU before a GPU run

Random init (speed does not depend on the weights); one synthetic batch, made once on the device and reused, so neither path
pays for data. Both paths train the same model the same way: mixed precision (bf16 autocast where the card has it, as
lesson 00's `amp_choice` says), torch's fused AdamW, SDPA attention, ResNet-50 in channels-last, and for GPT-2 a loss that
makes the logits chunk by chunk from the final hidden states, never for the whole batch at once nor in fp32 (`--loss full`:
the model's own logits, then cross-entropy in fp32, the usual way); `--compile` adds `torch.compile` to the model.
`--path course` trains through a fastai `Learner` as the course builds one (`resnet_learner`; BERT in `EncoderClassifier`
with `encoder_splitter`; GPT-2 in `CausalLM` with `decoder_splitter`; then `learn_on_device`), `--path bare` in a plain
PyTorch loop; `both` runs each and ends with a `course/bare` line.

MFU = model FLOPs per second / the card's dense bf16 peak. Model FLOPs per training step: transformers 6·N·T + 12·L·d·T·S
(PaLM, appendix B: N the parameters that multiply activations, embedding tables left out but GPT-2's output matrix counted;
T = batch × S tokens; L layers of width d); ResNet-50 3 × 8.18 GFLOPs (4.09 G multiply-adds) per 224-px image.
"""
import argparse, gc, json, time
from functools import partial
import torch
from torch import nn
import torch.nn.functional as F
from ftcourse.core import amp_choice, learn_on_device     # first: it quiets a deprecation warning fastai's import would print
from fastai.callback.core import Callback
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.learner import Learner
from fastai.losses import CrossEntropyLossFlat
from fastai.optimizer import OptimWrapper
from fastai.torch_core import default_device

PEAK_BF16_TFLOPS = {'H100 PCIe': 756, 'H100 NVL': 835, 'H100': 989, 'H200': 989, 'GH200': 989, 'A100': 312, 'L4': 121,
                    'A10G': 70, 'T4': 65}   # dense, no sparsity; 'H100' alone is the SXM card ("H100 80GB HBM3"); T4: its fp16 peak
FAMILIES = ('resnet50', 'bert-base', 'gpt2')
SIZES = dict(full={'resnet50': (256, 224), 'bert-base': (32, None), 'gpt2': (16, None)},     # batch, image side
             tiny={'resnet50': (2, 32), 'bert-base': (2, None), 'gpt2': (2, None)})
TINY = dict(vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)   # --tiny's transformers

def peak_tflops(name):
    for k in sorted(PEAK_BF16_TFLOPS, key=len, reverse=True):
        if k in name: return PEAK_BF16_TFLOPS[k]
    raise SystemExit(f'unknown card {name!r}: pass --peak-tflops')

class _LinearCrossEntropy(torch.autograd.Function):
    "Mean cross-entropy of the logits `h @ w.T` against `y`, `chunk` rows at a time; the gradients are made chunk by chunk in the same pass."
    @staticmethod
    def forward(ctx, h, w, y, chunk):
        loss, gh, gw = h.new_zeros((), dtype=torch.float32), torch.empty_like(h), torch.zeros_like(w, dtype=torch.float32)
        with torch.autocast(h.device.type, enabled=False):
            for i in range(0, len(y), chunk):
                hc, yc = h[i:i + chunk], y[i:i + chunk]
                z = (hc @ w.t()).float()
                lse = z.logsumexp(-1)
                loss += (lse - z.gather(1, yc[:, None])[:, 0]).sum()
                p = z.sub_(lse[:, None]).exp_()                                 # softmax; minus one-hot: d(summed loss)/dz
                p[torch.arange(len(yc), device=y.device), yc] -= 1
                p = p.to(h.dtype)
                gh[i:i + chunk] = p @ w
                gw += p.t() @ hc
        ctx.save_for_backward(gh, gw.to(w.dtype)); ctx.n = len(y)
        return loss / len(y)
    @staticmethod
    def backward(ctx, g):
        gh, gw = ctx.saved_tensors
        return gh * (g / ctx.n), gw * (g / ctx.n), None, None

def chunked_lm_loss(h, y, weight, chunk=2048):
    "Next-token cross-entropy from final hidden states `h` through the output matrix `weight`, in the autocast dtype, `chunk` tokens at a time."
    dev = h.device.type
    dt = torch.get_autocast_dtype(dev) if torch.is_autocast_enabled(dev) else h.dtype
    h, w, y = h.reshape(-1, h.shape[-1]).to(dt), weight.to(dt), y.as_subclass(torch.Tensor).reshape(-1)
    if torch.is_grad_enabled() and (h.requires_grad or w.requires_grad): return _LinearCrossEntropy.apply(h, w, y, chunk)
    return sum(F.cross_entropy((h[i:i + chunk] @ w.t()).float(), y[i:i + chunk], reduction='sum') for i in range(0, len(y), chunk)) / len(y)

def full_lm_loss(logits, y):
    "The usual way: the whole batch's logits in fp32, then cross-entropy."
    return F.cross_entropy(logits.float().flatten(0, -2), y.as_subclass(torch.Tensor).flatten())

def one_batch_dls(batch, n, device):
    "fastai `DataLoaders` whose training epoch is `batch`, `n` times over (made once: no data loading), validated on it once."
    return DataLoaders(DataLoader([batch] * n, bs=None, device=device), DataLoader([batch], bs=None, device=device), device=device)

def build(family, bs, seq, size, tiny, loss, device):
    "One batch of `family`'s inputs and targets on `device`, `make(dls, **kw)` building the course's Learner, a Learner for the bare loop to take its model from, the bare loop's loss, and model FLOPs per training step."
    g = torch.Generator().manual_seed(0)
    if family == 'resnet50':
        from ftcourse.vision import resnet_learner
        fmt = torch.channels_last if device == 'cuda' else torch.preserve_format      # as the course's learn_on_device does
        batch = torch.randn(bs, 3, size, size, generator=g).to(device, memory_format=fmt), torch.randint(0, 1000, (bs,), generator=g).to(device)
        make = lambda dls, **kw: resnet_learner(dls, 'resnet50', pretrained=False, metrics=None, n_out=1000, loss_func=CrossEntropyLossFlat(), **kw)
        return batch, make, make(one_batch_dls(batch, 1, device)), F.cross_entropy, 3 * 8.18e9 * bs * (size / 224) ** 2
    from transformers import BertConfig, AutoModel, GPT2Config, GPT2LMHeadModel
    if family == 'bert-base':
        from ftcourse.encoders import EncoderClassifier, encoder_splitter
        cfg = BertConfig(**(TINY if tiny else {}), max_position_embeddings=max(512, seq), attn_implementation='sdpa')
        x, y = torch.randint(1, cfg.vocab_size, (bs, seq), generator=g), torch.randint(0, 2, (bs,), generator=g)   # no padding
        make = lambda dls, **kw: Learner(dls, EncoderClassifier(AutoModel.from_config(cfg), 2, pad_id=0), loss_func=CrossEntropyLossFlat(),
                                         splitter=encoder_splitter, **kw)
        bare_loss, n_head = F.cross_entropy, 0
    else:
        from ftcourse.decoders import CausalLM, decoder_splitter
        cfg = GPT2Config(**(dict(TINY, bos_token_id=0, eos_token_id=0) if tiny else {}), n_positions=max(1024, seq), attn_implementation='sdpa')
        tok = torch.randint(0, cfg.vocab_size, (bs, seq + 1), generator=g)
        x, y = tok[:, :-1].contiguous(), tok[:, 1:].contiguous()
        def make(dls, **kw):
            hf = GPT2LMHeadModel(cfg)
            if loss == 'full': return Learner(dls, CausalLM(hf), loss_func=CrossEntropyLossFlat(), splitter=decoder_splitter, **kw)
            w = hf.get_output_embeddings().weight                       # tied to the token embedding
            hf.lm_head = nn.Identity()                                  # the model returns its final hidden states; the loss applies w
            return Learner(dls, CausalLM(hf), loss_func=partial(chunked_lm_loss, weight=w, chunk=16 if tiny else 2048),
                           splitter=decoder_splitter, **kw)
        bare_loss = full_lm_loss if loss == 'full' else None          # None: the Learner's own, fused with its model's output matrix
        n_head = cfg.vocab_size * cfg.hidden_size
    batch = x.to(device), y.to(device)
    learn = make(one_batch_dls(batch, 1, device))
    n = sum(p.numel() for m in learn.model.modules() if not isinstance(m, nn.Embedding) for p in m.parameters(recurse=False) if p.dim() == 2)
    return batch, make, learn, bare_loss, 6 * (n + n_head) * bs * seq + 12 * cfg.num_hidden_layers * cfg.hidden_size * bs * seq * seq

def sync(device):
    if device == 'cuda': torch.cuda.synchronize()

def peak_gib(device): return torch.cuda.max_memory_allocated() / 2**30 if device == 'cuda' else float('nan')

class _StepTime(Callback):
    "Seconds of the training steps after the first `skip` (warm-up), and the peak memory of the fit so far."
    order = 100
    def __init__(self, skip, device): self.skip, self.device = skip, device
    def before_batch(self):
        if self.training and self.iter == self.skip: sync(self.device); self.t0 = time.perf_counter()
    def after_train(self): sync(self.device); self.seconds, self.peak = time.perf_counter() - self.t0, peak_gib(self.device)

def fused_adamw(params, **kw): return OptimWrapper(params, opt=partial(torch.optim.AdamW, fused=True), **kw)

def course(make, batch, steps, warmup, amp, compile, device, channels_last):
    "Seconds per step and peak GiB through the course's Learner (its callbacks, mixed precision and all)."
    timer = _StepTime(warmup, device)
    learn = learn_on_device(make(one_batch_dls(batch, warmup + steps, device), opt_func=fused_adamw, lr=1e-5, cbs=timer),
                            amp=amp, channels_last=channels_last)
    if compile: learn.create_opt(); learn.model = torch.compile(learn.model)   # the optimizer's groups from the plain model
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-5)
    return timer.seconds / steps, timer.peak

def bare(learn, loss, batch, steps, warmup, dtype, compile, device, channels_last):
    "Seconds per step and peak GiB of the same model (`learn`'s, which trains nowhere else) in a plain PyTorch loop."
    model = learn.model.to(device, memory_format=torch.channels_last if channels_last else torch.preserve_format).train()
    loss = loss or learn.loss_func
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    fwd, scaler, (x, y) = torch.compile(model) if compile else model, torch.amp.GradScaler(device, enabled=dtype == torch.float16), batch
    for i in range(warmup + steps):
        if i == warmup: sync(device); t0 = time.perf_counter()
        with torch.autocast(device, dtype=dtype, enabled=dtype is not None): l = loss(fwd(x), y)
        scaler.scale(l).backward(); scaler.step(opt); scaler.update(); opt.zero_grad(set_to_none=True)
    sync(device)
    return (time.perf_counter() - t0) / steps, peak_gib(device)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--family', default='all', choices=('all',) + FAMILIES)
    p.add_argument('--path', default='both', choices=('both', 'course', 'bare'))
    p.add_argument('--bs', type=int); p.add_argument('--seq', type=int); p.add_argument('--steps', type=int)
    p.add_argument('--amp', default='auto', choices=('auto', 'bf16', 'fp16'))
    p.add_argument('--compile', action='store_true'); p.add_argument('--loss', default='fused', choices=('fused', 'full'))
    p.add_argument('--device', default='cuda', choices=('cuda', 'cpu'))
    p.add_argument('--tiny', action='store_true', help='toy sizes (2 layers of width 64, batch 2, sequence 32, 32-px images, 2 steps)')
    p.add_argument('--peak-tflops', type=float); p.add_argument('--json', help='also write the figures to this file')
    a = p.parse_args(argv)
    if a.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit('bench/mfu.py: no CUDA device here (--device cpu --tiny checks the script)')
    dev = default_device(a.device == 'cuda').type                   # where the course's Learner trains, too
    amp = amp_choice(override=a.amp) if dev == 'cuda' else 'off'
    dtype = {'bf16': torch.bfloat16, 'fp16': torch.float16, 'off': None}[amp]
    seq, steps, warmup = a.seq or (32 if a.tiny else 512), a.steps or (2 if a.tiny else 20), 1 if a.tiny else 3
    if dev == 'cuda':
        name = torch.cuda.get_device_name(); peak = a.peak_tflops or peak_tflops(name)
        print(f'{name}, bf16 peak {peak} TFLOPS (dense), mixed precision {amp}, torch {torch.__version__}')
    else: name, peak = f'cpu ({torch.get_num_threads()} threads)', a.peak_tflops; print(f'{name}: MFU only with --peak-tflops; torch {torch.__version__}')
    paths = ('course', 'bare') if a.path == 'both' else (a.path,)
    recs = []
    for fam in FAMILIES if a.family == 'all' else (a.family,):
        bs, size = SIZES['tiny' if a.tiny else 'full'][fam]
        batch, make, learn, loss, flops = build(fam, a.bs or bs, seq, size, a.tiny, a.loss, dev)
        learn.model.cpu()                                            # the bare loop's model: out of the course's peak memory
        cl = fam == 'resnet50' and dev == 'cuda'                     # channels-last on a GPU, as the course's learn_on_device does
        for path in paths:
            gc.collect()
            if dev == 'cuda': torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
            s, mem = (course(make, batch, steps, warmup, amp, a.compile, dev, cl) if path == 'course' else
                      bare(learn, loss, batch, steps, warmup, dtype, a.compile, dev, cl))
            r = dict(family=fam, path=path, device=name, amp=amp, compile=a.compile, loss=a.loss if fam == 'gpt2' else None,
                     bs=len(batch[0]), seq=None if fam == 'resnet50' else seq, samples_per_s=len(batch[0]) / s, tflops=flops / s / 1e12,
                     mfu=flops / s / 1e12 / peak if peak else None, peak_gib=None if mem != mem else mem)
            recs.append(r)
            print(f"{fam} ({path}): batch {r['bs']}" + (f' x {size} px' if fam == 'resnet50' else f' x {seq} tokens') +
                  f", {r['samples_per_s']:,.1f} samples/s, {r['tflops']:.4g} TFLOPS, MFU " + (f"{100 * r['mfu']:.1f}%" if peak else 'n/a') +
                  ', peak memory ' + (f'{mem:.1f} GiB' if mem == mem else 'n/a'))
        del batch, learn
    if a.json:
        with open(a.json, 'w') as f: json.dump(recs, f, indent=1)
    if len(paths) == 2:
        sp = {(r['family'], r['path']): r['samples_per_s'] for r in recs}
        print('course/bare: ' + ', '.join(f"{f} {sp[f, 'course'] / sp[f, 'bare']:.3f}" for f in dict.fromkeys(r['family'] for r in recs)))

if __name__ == '__main__': main()
