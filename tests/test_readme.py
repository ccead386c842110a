"""README.md is the course home `nbs/index.ipynb` (its markdown cells), and CI runs README's test command.
Regenerate the README after editing index.ipynb: `python tests/test_readme.py`."""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def index_markdown():
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text(encoding='utf-8'))
    return '\n\n'.join(''.join(c['source']).strip() for c in nb['cells'] if c['cell_type'] == 'markdown') + '\n'

def readme_command(marker):
    "The shell command in the README's code block after `<!-- marker -->`."
    m = re.search(rf'<!-- {marker} -->\s*```bash\n(.+?)\n```', (ROOT/'README.md').read_text(encoding='utf-8'), re.S)
    assert m, f'README has no command after <!-- {marker} -->'
    return m.group(1).strip()

def test_readme_is_the_index():
    assert (ROOT/'README.md').read_text(encoding='utf-8') == index_markdown(), 'README.md drifted from nbs/index.ipynb: run python tests/test_readme.py'

def test_ci_runs_the_readme_test_command():
    ci = (ROOT/'.ci'/'run').read_text()
    assert "readme_command('test')" in ci and 'bash -c "$cmd"' in ci
    cmd = readme_command('test')
    assert 'nbdev-test' in cmd and 'pytest tests' in cmd
    assert 0 <= cmd.find('ftcourse prepare') < cmd.find('nbdev-test'), 'the pocket models are built before the notebooks run'

def test_lesson_table_lists_every_notebook():
    table = re.search(r'<!-- lessons -->(.+?)<!-- /lessons -->', index_markdown(), re.S).group(1)
    listed = set(re.findall(r'\]\(nbs/(\w+\.ipynb)\)', table))
    on_disk = {p.name for p in (ROOT/'nbs').glob('[0-9]*.ipynb')}
    assert listed == on_disk
    for nb in on_disk: assert f'blob/main/nbs/{nb}' in table, f'{nb} has no Colab link in the lesson table'

def default_exp(nb):
    "The module a notebook exports (its `#| default_exp`), or None."
    for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)
        if m: return m.group(1)

def test_notebooks_are_named_for_their_modules():
    "Each lesson NN_name.ipynb exports ftcourse/name.py, and the lesson table's module column says so; a lesson that exports nothing says so there."
    table = re.search(r'<!-- lessons -->(.+?)<!-- /lessons -->', index_markdown(), re.S).group(1)
    rows = dict(re.findall(r'\]\(nbs/(\w+)\.ipynb\) \| `ftcourse\.(\w+)`', table))
    bare = set(re.findall(r'\]\(nbs/(\w+)\.ipynb\) \| — \(exports nothing\)', table))
    for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        mod = default_exp(nb)
        if mod is None:
            assert nb.stem in bare, f'{nb.name} exports nothing: its lesson table row should say "— (exports nothing)"'
            assert not (ROOT/'ftcourse'/f"{nb.stem.split('_', 1)[1]}.py").exists(), f'{nb.name} exports nothing, but its old module is still in ftcourse/'
            continue
        assert nb.stem.split('_', 1)[1] == mod, f'{nb.name} exports ftcourse.{mod}: name it {nb.stem[:2]}_{mod}.ipynb'
        assert rows.get(nb.stem) == mod, f'the lesson table gives {nb.name} the module {rows.get(nb.stem)}, it exports {mod}'

if __name__ == '__main__':
    (ROOT/'README.md').write_text(index_markdown(), encoding='utf-8'); print('README.md written from nbs/index.ipynb')
