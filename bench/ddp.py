"""Data-parallel training, timed: the same `ftcourse compare` run on one process and on N under torchrun.

One process per GPU with `--device cuda` (N defaults to the number of GPUs), or N CPU processes (gloo) sharing the
machine's cores with `--device cpu`. The global batch is the same in both (the command splits it), so the runs do the
same optimisation. Prints one Markdown row per run: samples/s of the training loop (all processes together, `Throughput`),
training seconds and the validation metric, then `speedup=<N processes / 1 process>`.

    python bench/ddp.py [--family bert] [--strategy discriminative] [--preset smoke] [--procs N] [--device cpu|cuda]
"""
import argparse, json, subprocess, tempfile, time
from pathlib import Path
import torch
from ftcourse.gpu import ftcourse_command

def run(args, procs, out):
    "The `ftcourse` command with `args` on `procs` processes: (its record, wall seconds)."
    cmd, env = ftcourse_command(*args, '--out', out, procs=procs)
    t = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode: raise SystemExit(f'ftcourse on {procs} process(es) failed:\n{r.stderr[-3000:]}')
    return json.loads((Path(out)/'results.json').read_text())[0], time.time() - t

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--family', default='bert', choices=('resnet', 'bert', 'gpt')); p.add_argument('--strategy', default='discriminative')
    p.add_argument('--preset', default='smoke'); p.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    p.add_argument('--procs', type=int, help='processes for the data-parallel run (default: the GPUs, or 2 on a CPU)')
    a = p.parse_args(argv)
    if a.device == 'cuda' and torch.cuda.device_count() < 2: raise SystemExit('--device cuda: data-parallel training needs at least 2 GPUs here')
    n = a.procs or (torch.cuda.device_count() if a.device == 'cuda' else 2)
    args = ['finetune', a.family, '--strategy', a.strategy, '--preset', a.preset, '--device', a.device]
    print('| processes | device | samples/s (all processes) | training s | wall s (with start-up) | metric |\n| --- | --- | --- | --- | --- | --- |')
    res = {}
    with tempfile.TemporaryDirectory() as d:
        for procs in (1, n):
            rec, wall = res[procs] = run(args, procs, Path(d)/str(procs))
            print(f"| {procs} | {rec['device']} | {rec['samples_per_s']:,.1f} | {rec['train_seconds']:.1f} | {wall:.0f} | {rec['metric']} {rec['value']:.3f} |", flush=True)
    print(f"speedup={res[n][0]['samples_per_s'] / res[1][0]['samples_per_s']:.2f}")

if __name__ == '__main__': main()
