"""Samples/s and model FLOPs utilisation (MFU) on CUDA, bf16 autocast, random init (speed does not depend on the weights).

    python bench/mfu.py [--family resnet50|bert-base|gpt2|all] [--bs N] [--seq 512] [--steps 20] [--peak-tflops X]

MFU = (model FLOPs per second actually achieved) / (the card's dense bf16 peak). Model FLOPs per training step:
transformers 6·N·T + 12·L·d·T·S (parameters N, tokens T = batch × sequence length S, layers L, width d: the
forward-and-backward matmuls plus attention, as in the PaLM paper's appendix B); ResNet-50 3 × 4.1 GFLOPs per 224-px image.
"""
import argparse, time
import torch
from torch import nn

PEAK_BF16_TFLOPS = {'H100 SXM': 989, 'H100 NVL': 835, 'H100 PCIe': 756, 'H100': 756, 'H200': 989, 'A100': 312, 'L4': 121, 'A10G': 70,
                    'T4': 65}   # dense, no sparsity; the T4 figure is its fp16 peak (it has no bf16 units)

def peak_tflops(name):
    for k in sorted(PEAK_BF16_TFLOPS, key=len, reverse=True):
        if k in name: return PEAK_BF16_TFLOPS[k]
    raise SystemExit(f'unknown card {name!r}: pass --peak-tflops')

def build(family, bs, seq):
    "Model, one batch of inputs and targets, and model FLOPs per training step."
    if family == 'resnet50':
        from torchvision.models import resnet50
        m = resnet50().to(memory_format=torch.channels_last)
        x = torch.randn(bs, 3, 224, 224).to(memory_format=torch.channels_last); y = torch.randint(0, 1000, (bs,))
        return m, x, y, 3 * 4.1e9 * bs
    from transformers import BertConfig, BertForSequenceClassification, GPT2Config, GPT2LMHeadModel
    if family == 'bert-base': c = BertConfig(max_position_embeddings=max(512, seq)); m = BertForSequenceClassification(c)
    else: c = GPT2Config(n_positions=max(1024, seq)); m = GPT2LMHeadModel(c)
    n = sum(p.numel() for p in m.parameters() if p.requires_grad)
    L, d = c.num_hidden_layers, c.hidden_size
    x = torch.randint(0, c.vocab_size, (bs, seq))
    y = torch.randint(0, 2, (bs,)) if family == 'bert-base' else torch.randint(0, c.vocab_size, (bs, seq))
    return m, x, y, 6 * n * bs * seq + 12 * L * d * bs * seq * seq

def step(m, x, y):
    with torch.autocast('cuda', dtype=torch.bfloat16):
        out = m(x) if isinstance(x, torch.Tensor) and x.is_floating_point() else m(input_ids=x).logits
        loss = nn.functional.cross_entropy(out.float().reshape(-1, out.shape[-1]), y.reshape(-1))
    loss.backward()

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--family', default='all', choices=('all', 'resnet50', 'bert-base', 'gpt2'))
    p.add_argument('--bs', type=int); p.add_argument('--seq', type=int, default=512); p.add_argument('--steps', type=int, default=20)
    p.add_argument('--peak-tflops', type=float)
    a = p.parse_args()
    if not torch.cuda.is_available(): raise SystemExit('bench/mfu.py needs CUDA')
    name = torch.cuda.get_device_name(); peak = a.peak_tflops or peak_tflops(name)
    print(f'{name}, bf16 peak {peak} TFLOPS (dense), torch {torch.__version__}')
    for fam in (('resnet50', 'bert-base', 'gpt2') if a.family == 'all' else (a.family,)):
        bs = a.bs or {'resnet50': 256, 'bert-base': 32, 'gpt2': 16}[fam]
        m, x, y, flops = build(fam, bs, a.seq)
        m, x, y = m.cuda().train(), x.cuda(), y.cuda()
        opt = torch.optim.AdamW(m.parameters(), lr=1e-5, fused=True)
        for _ in range(3): step(m, x, y); opt.step(); opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(a.steps): step(m, x, y); opt.step(); opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize(); s = (time.perf_counter() - t) / a.steps
        print(f'{fam}: batch {bs}' + ('' if fam == 'resnet50' else f' x {a.seq} tokens') +
              f', {bs / s:,.1f} samples/s, {flops / s / 1e12:.1f} TFLOPS, MFU {100 * flops / s / 1e12 / peak:.1f}%, '
              f'peak memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB')
        del m, opt; torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()

if __name__ == '__main__': main()
