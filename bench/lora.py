"""LoRA against full fine-tuning at a size a CPU lesson cannot afford: the accuracy target of lesson 13.

    python bench/lora.py [--family bert] [--n-train 4000] [--strategies discriminative,lora] [--seeds 3] [--ranks 8]
                         [--targets NAMES] [--preset cpu] [--quick] [--json FILE]

For each strategy: its learning rate chosen on a validation split carved from SST-2's training sentences (one run per
rate of its grid, seed 0: lesson 06's `tune_lrs`), then `--seeds` runs at that rate judged on SST-2's test set (the
course's `family_task`, `compare`). `--ranks` adds `lora` at other ranks (alpha = 2r), at the rate chosen for r = 8.
`--targets` puts the adapters on other layers than the family's default (lesson 13's `lora_targets`; comma-separated).
Prints a row per strategy (rate, accuracy and its spread over seeds with ddof=1, trained parameters, seconds) and as its
last line `gap=<points> trained=<%>`: the best full-model strategy's accuracy minus `lora`'s, in points, and the share
of the weights `lora` trains. Target (lesson 13, cpu preset, MiniLM, 4,000 sentences): gap <= 1.5 with trained <= 2.
`--quick` tries one rate per strategy (its grid's middle): it checks the script, and chooses nothing.
"""
import argparse, json, time
from functools import partial
import pandas as pd
from ftcourse.core import preset, versions      # first: it quiets a deprecation warning fastai's import would print
from ftcourse.compare import family_task
from ftcourse.strategies import compare, tune_lrs, best_lrs, lr_grid_table, summary_table
from ftcourse.lora import LORA_STRATEGIES, lora_targets, with_lora_options

GRIDS = {   # rates to try per strategy: lesson 08's and 13's grids around the table's rates for MiniLM and the pocket GPT
    'bert': dict(frozen=(3e-3, 1e-2, 3e-2), full=(3e-5, 1e-4, 3e-4), discriminative=(1e-3, 2e-3, 5e-3), fine_tune=(3e-3, 1e-2, 3e-2),
                 lora=(1e-3, 3e-3, 1e-2), lora_discriminative=(3e-3, 1e-2, 3e-2), lora_fine_tune=(3e-3, 1e-2, 3e-2)),
    'gpt': dict(frozen=(1e-2, 3e-2, 1e-1), full=(3e-4, 1e-3, 3e-3), discriminative=(3e-2, 1e-1, 3e-1), fine_tune=(1e-2, 3e-2, 1e-1),
                lora=(1e-3, 3e-3, 1e-2), lora_discriminative=(3e-3, 1e-2, 3e-2), lora_fine_tune=(3e-3, 1e-2, 3e-2)),
}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--family', default='bert', choices=tuple(GRIDS))
    p.add_argument('--n-train', type=int, default=4000, help='training sentences (default 4000)')
    p.add_argument('--strategies', default='discriminative,lora', help='comma-separated; lora must be one of them')
    p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--ranks', default='8', help='comma-separated LoRA ranks; 8 is tuned, the others run at its rate')
    p.add_argument('--targets', help="the layers that get adapters, comma-separated (default: the family's)")
    p.add_argument('--preset', default='cpu')
    p.add_argument('--quick', action='store_true', help="one rate per strategy (its grid's middle): checks the script")
    p.add_argument('--json', help='also write the records to this file')
    a = p.parse_args(argv)
    strategies, ranks = a.strategies.split(','), [int(r) for r in a.ranks.split(',')]
    if 'lora' not in strategies: p.error('--strategies must include lora')
    if unknown := [s for s in strategies if s not in GRIDS[a.family]]: p.error(f"no grid for {', '.join(unknown)}: choose from {', '.join(GRIDS[a.family])}")
    P, seeds, start = preset(a.preset), tuple(range(42, 42 + a.seeds)), time.time()
    v = versions()
    print(f"bench/lora.py {a.family}, {a.n_train} training sentences, preset {P.name}, seeds {seeds}; torch {v['torch']}, transformers {v['transformers']}")
    tune, tune_desc, d = family_task(a.family, P, split='valid', n_train=a.n_train)
    if a.targets:
        print(f"LoRA targets: {lora_targets(tune(True).model, a.targets)}")          # checked before anything trains
        tune = partial(with_lora_options, tune, dict(targets=a.targets))
    meta = dict(factor=d['factor'], family=a.family, model=d['model'], p=P)
    grid = [r for s in strategies for r in tune_lrs(tune, [s], d['epochs'], GRIDS[a.family][s][1:2] if a.quick else GRIDS[a.family][s], seeds=(0,), data=tune_desc, **meta)]
    print(lr_grid_table(grid).to_string())
    lrs = best_lrs(grid)
    make, desc, d = family_task(a.family, P, n_train=a.n_train)
    if a.targets: make = partial(with_lora_options, make, dict(targets=a.targets))
    records = compare(make, strategies, d['epochs'], lrs, seeds=seeds, data=desc, **meta)
    for r in records: r['rank'] = 8 if r['strategy'] in LORA_STRATEGIES else None
    for r in ranks:
        if r == 8: continue
        for rec in compare(partial(with_lora_options, make, dict(r=r)), ['lora'], d['epochs'], lrs['lora'], seeds=seeds, data=desc, **meta):
            records.append({**rec, 'strategy': f'lora r={r}', 'rank': r})
    t = summary_table(records).assign(lr=pd.Series({r['strategy']: r['lr'] for r in records}))
    print(f"{d['model']} on {desc}, {d['epochs']} epochs, test set ({records[0]['n_valid']} sentences), {time.time() - start:.0f} s in all")
    print(t[['lr', 'accuracy', '±', 'trainable_params', 'trainable_%', 'train_seconds']].to_string())
    if a.json:
        with open(a.json, 'w') as f: json.dump(dict(lrs=lrs, grid=grid, records=records), f, indent=1, default=str)
    full = [s for s in strategies if s not in LORA_STRATEGIES]
    gap = 100 * (t.loc[full, 'accuracy'].max() - t.loc['lora', 'accuracy']) if full else float('nan')
    print(f"gap={gap:.1f} trained={t.loc['lora', 'trainable_%']:.2f}")

if __name__ == '__main__': main()
