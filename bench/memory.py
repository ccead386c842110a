"""Peak CUDA memory of training each course family at GPU sizes, in fp16, under a 15 GiB cap (a free Colab T4's memory).

    python bench/memory.py [--cap 15] [--json FILE]
    python bench/memory.py --device cpu       # builds every learner and checks a batch of each; measures nothing

Each learner is built by the course's own function, from a local config with random init (no download; the weights do
not change the memory): `resnet_learner` (resnet34) on digit PNGs through `image_dls` at 224 px; `encoder_learner`
(bert-base) and `decoder_classifier` (gpt2) on `text_dls`; `lm_learner` (gpt2) on `lm_dls` at the gpu preset's setting.
The texts are random words, long enough to fill every row; bert-base reads them with MiniLM's tokenizer (the same uncased
WordPiece vocabulary), gpt2 with a byte-level BPE tokenizer trained on them. Lesson 12's `peak_memory` then trains 3
batches through the learner's own `fit`, every group trainable, in fp16 (`to_amp(learn, 'fp16')`), with
`torch.cuda.set_per_process_memory_fraction` holding the process to the cap: an out-of-memory error is a failure.
The two LoRA cases (lesson 13's `to_lora`, rank 8: adapters and head trained, the pretrained weights frozen) take twice
the batch of the gpu preset's full fine-tuning (64 x 128 tokens): the target is that they fit the same cap.
"""
import argparse, gc, json, tempfile
from pathlib import Path
import numpy as np, pandas as pd, torch
from ftcourse.core import to_amp, run_defaults  # first: it quiets a deprecation warning fastai's import would print
from fastai.torch_core import default_device

CASES = (('resnet34', 'resnet34, 224 px, batch 64', dict(bs=64, size=224)),
         ('bert-base', 'bert-base, batch 64 x 128 tokens', dict(bs=64, max_len=128)),
         ('bert-base', 'bert-base, batch 32 x 512 tokens', dict(bs=32, max_len=512)),
         ('gpt2', 'gpt2 classifier, batch 64 x 128 tokens', dict(bs=64, max_len=128)),
         ('gpt2', 'gpt2 classifier, batch 32 x 512 tokens', dict(bs=32, max_len=512)),
         ('gpt2-lm', 'gpt2 language model, batch {bs} x {max_len} tokens (gpu preset)', {}),      # read from the run defaults below
         ('bert-base', 'bert-base with LoRA (r=8), batch 128 x 128 tokens', dict(bs=128, max_len=128, lora=True)),   # twice the full batch (lesson 13)
         ('gpt2', 'gpt2 classifier with LoRA (r=8), batch 128 x 128 tokens', dict(bs=128, max_len=128, lora=True)))

def random_texts(n, words=600, seed=0):
    "`n` texts of `words` random words from MiniLM's vocabulary (whole words only), with alternating labels 0 and 1."
    from ftcourse.encoders import encoder_tokenizer, MINILM
    vocab = [w for w in encoder_tokenizer(MINILM).get_vocab() if w.isalpha()]
    rng = np.random.default_rng(seed)
    return pd.DataFrame({'text': [' '.join(rng.choice(vocab, words)) for _ in range(n)], 'label': np.arange(n) % 2})

def learner(kind, folders, bs, max_len=None, size=None, n_batches=3, lora=False):
    "The course's learner for case `kind`, random init, with at least `n_batches` training batches; with `lora`, lesson 13's adapters (r=8, the family's targets) on it."
    learn = _learner(kind, folders, bs, max_len, size, n_batches)
    if lora:
        from ftcourse.lora import to_lora
        to_lora(learn)
    return learn

def _learner(kind, folders, bs, max_len=None, size=None, n_batches=3):
    from ftcourse.core import preset
    p = preset('gpu')
    if kind == 'resnet34':
        from ftcourse.data import image_dls, folder_frame, digits_folder
        from ftcourse.vision import resnet_learner
        df = folder_frame(digits_folder()).sample(n_batches * bs, replace=True, random_state=0).assign(is_valid=False)
        dls = image_dls(pd.concat([df, df[:bs].assign(is_valid=True)], ignore_index=True), size=size, bs=bs, p=p)
        return resnet_learner(dls, 'resnet34', pretrained=False)
    from ftcourse.data import text_dls
    df = random_texts((n_batches + 1) * bs)
    trn, val = df[:n_batches * bs], df[n_batches * bs:]
    if kind == 'bert-base':
        from ftcourse.encoders import encoder_tokenizer, encoder_learner, MINILM
        return encoder_learner(text_dls(trn, val, encoder_tokenizer(MINILM), max_len=max_len, bs=bs, p=p), folders['bert-base'], pretrained=False)
    from ftcourse.decoders import train_tokenizer
    from ftcourse.decoders import decoder_classifier, lm_dls, lm_learner
    tok = train_tokenizer(list(df.text), 4096)
    tok.pad_token = tok.eos_token
    if kind == 'gpt2': return decoder_classifier(text_dls(trn, val, tok, max_len=max_len, bs=bs, p=p), folders['gpt2'], pretrained=False)
    return lm_learner(lm_dls(list(trn.text), list(val.text), tok, block_size=max_len, bs=bs), folders['gpt2'], pretrained=False)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--cap', type=float, default=15., help='GiB the process may use')
    p.add_argument('--device', default='cuda', choices=('cuda', 'cpu'))
    p.add_argument('--json', help='also write the figures to this file')
    a = p.parse_args(argv)
    if a.device == 'cuda' and not torch.cuda.is_available(): raise SystemExit('bench/memory.py: no CUDA device here (--device cpu checks the script)')
    default_device(a.device == 'cuda')
    from transformers import BertConfig, GPT2Config
    from ftcourse.gpu import peak_memory
    if a.device == 'cuda':
        total = torch.cuda.get_device_properties(0).total_memory / 2**30
        torch.cuda.set_per_process_memory_fraction(min(1., a.cap / total))
        print(f'{torch.cuda.get_device_name()} ({total:.0f} GiB), held to {a.cap:g} GiB; fp16; torch {torch.__version__}')
    recs = []
    with tempfile.TemporaryDirectory() as d:
        folders = {'bert-base': Path(d)/'bert-base', 'gpt2': Path(d)/'gpt2'}
        BertConfig().save_pretrained(folders['bert-base']); GPT2Config().save_pretrained(folders['gpt2'])      # the defaults are those models
        for kind, name, kw in CASES:
            if kind == 'gpt2-lm':                    # the gpu preset's own setting (a batch that large accumulates, which adds no memory)
                r = run_defaults('gpt-lm', 'gpt2', 'gpu'); kw = dict(bs=r['bs'], max_len=r['max_len']); name = name.format(**kw)
            learn = learner(kind, folders, **kw)
            if a.device == 'cpu':
                xb, yb = learn.dls.one_batch()
                print(f'{name}: built, batch {tuple(xb.shape)}, not measured (no CUDA)')
                recs.append(dict(case=name, peak_gib=None, ok=None))
                continue
            try: gib, ok = peak_memory(to_amp(learn, 'fp16')), True
            except torch.OutOfMemoryError: gib, ok = None, False
            del learn; gc.collect(); torch.cuda.empty_cache()
            recs.append(dict(case=name, peak_gib=gib, ok=ok))
            print(f'{name}: ' + (f'{gib:.2f} GiB' if ok else f'out of memory under {a.cap:g} GiB'))
    if a.json:
        with open(a.json, 'w') as f: json.dump(dict(cap_gib=a.cap, cases=recs), f, indent=1)
    if any(r['ok'] is False for r in recs): raise SystemExit(1)

if __name__ == '__main__': main()
