#!/usr/bin/env bash
# The GPU check: every figure the course asks of a CUDA machine, with no network, in at most 9 minutes on an H100-class
# card, ending in one markdown table (step, figure, target, result). From the repository root, on the CUDA machine:
#
#   source .gpu/env.sh && bash bench/gpu_check.sh
#   GPU_CHECK_DRY=1 bash bench/gpu_check.sh      # or --dry-run: every step at toy size on the CPU, to check the script
#
# Steps, in order: bench/overhead.py for each family; bench/mfu.py through the course and bare; bench/memory.py (each family
# at GPU sizes, fp16, under 15 GiB); `ftcourse compare bert` on MiniLM in the gpu preset; building the pocket GPT; lesson
# 12's #|cuda cells (bench/cuda_cells.py); bench/overhead.py for bert with the course path stepping with fastai's Adam. Each step runs under `timeout`, within what is left of GPU_CHECK_BUDGET seconds
# (default 540, sized from the first H100 run; the same for a dry run, whose steps have no time limit of their own); a step that fails or runs out of time is
# marked so in the table and the next one runs. Logs and figures go to GPU_CHECK_OUT (default: a new temporary folder).
# The exit status is 1 if any step failed, was skipped or missed its target (a dry run judges no target).
set -euo pipefail
cd "$(dirname "$0")/.."
dry=${GPU_CHECK_DRY:-0}; [ "${1:-}" = --dry-run ] && dry=1
budget=${GPU_CHECK_BUDGET:-540}
out=${GPU_CHECK_OUT:-$(mktemp -d)}; mkdir -p "$out"
py=${PYTHON:-python3}
export FTCOURSE_OFFLINE=${FTCOURSE_OFFLINE:-1} HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} PYTHONUNBUFFERED=1
start=$(date +%s)

# step NAME SECONDS CMD...: run CMD, output to $out/NAME.log, under a timeout of SECONDS or what is left of the budget
# (a dry run: what is left); "<exit status> <seconds>" to $out/NAME.rc
step() {
  local name=$1 cap=$2; shift 2
  local left=$(( budget - ($(date +%s) - start) ))
  (( dry || cap > left )) && cap=$left
  if (( cap < 5 )); then echo "skipped: out of time" > "$out/$name.rc"; echo "== $name: skipped, out of time"; return 0; fi
  local t0 rc=0; t0=$(date +%s)
  timeout --kill-after=5 "$cap" "$@" > "$out/$name.log" 2>&1 || rc=$?
  echo "$rc $(( $(date +%s) - t0 ))" > "$out/$name.rc"
  echo "== $name: exit $rc in $(( $(date +%s) - t0 )) s (timeout $cap s)"
  if (( rc != 0 )); then printf '%s\n' "$(tail -n 15 "$out/$name.log" | sed 's/^/   | /')"; fi
  return 0
}
skip() { echo "skipped: $2" > "$out/$1.rc"; echo "== $1: skipped, $2"; }

echo "GPU check$( ((dry)) && echo ' (DRY RUN: toy sizes on the CPU)'), logs in $out"
$py -c 'from ftcourse.core import report; report()' || true
if ((dry)); then
  dev=(--device cpu); over=(--steps 2 --rounds 1 --bs 4); mfu=(--tiny); minilm=(--preset smoke --data pydoc --n-train 32 --bs 16 --epochs 1)
  pocket='{"n_layer": 1, "n_embd": 32, "n_head": 2, "vocab_size": 512, "min_words": 30, "epochs": 1}'; cells=(--list)
  export FTCOURSE_CACHE=$out/cache                  # the toy pocket GPT stays out of the real cache
else
  dev=(--device cuda); over=(); mfu=(); minilm=(--preset gpu --epochs 1); pocket='{}'; cells=()
fi

for f in resnet bert gpt; do step "overhead-$f" 100 $py bench/overhead.py --family $f "${dev[@]}" "${over[@]}"; done
step mfu 90 $py bench/mfu.py --path both "${dev[@]}" "${mfu[@]}" --json "$out/mfu.json"
step memory 60 $py bench/memory.py "${dev[@]}" --json "$out/memory.json"
if ((dry)) || [ -d "${FTCOURSE_DATA:-/nonexistent}/sst2" ]; then
  step minilm 150 $py -c 'import sys; from ftcourse.cli import main; sys.exit(main())' compare bert --model all-minilm-l6-v2 \
       --strategies discriminative "${minilm[@]}" --out "$out/minilm"
else skip minilm 'SST-2 not found: set FTCOURSE_DATA'; fi
if [ -d "${FTCOURSE_DATA:-/nonexistent}/sst2" ]; then
  step pocket-gpt 90 $py -c 'import sys, json, time; from ftcourse.decoders import pocket_gpt_folder
t = time.time(); pocket_gpt_folder(rebuild=True, **json.loads(sys.argv[1])); print(f"pocket GPT built in {time.time() - t:.1f} s")' "$pocket"
else skip pocket-gpt 'its corpus is SST-2: set FTCOURSE_DATA'; fi
step cuda-cells 90 $py bench/cuda_cells.py nbs/12_gpu.ipynb "${cells[@]}"
# Last, so that it is the step a short budget drops: bert's overhead again, the course path stepping with fastai's Adam
# (the optimizer the course's runs use) instead of torch's AdamW. Read beside overhead-bert: is the optimizer what slows a step?
step overhead-bert-fastai-adam 100 $py bench/overhead.py --family bert --opt fastai "${dev[@]}" "${over[@]}"

echo "$(( $(date +%s) - start ))" > "$out/total.seconds"
echo
$py bench/gpu_table.py "$out" $( ((dry)) && echo --dry )
