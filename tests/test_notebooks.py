"Every lesson opens with a Colab badge, an install cell that runs only on Colab, and a report of the versions it ran with."
import json, re
import pytest
from conftest import ROOT

LESSONS = sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))

def cells(nb): return json.loads(nb.read_text(encoding='utf-8'))['cells']

def test_there_are_lessons(): assert len(LESSONS) >= 3

@pytest.mark.parametrize('nb', LESSONS, ids=lambda p: p.name)
def test_lesson_opens_like_a_lesson(nb):
    cs = cells(nb)
    assert f'colab.research.google.com/github/ftcourse/ftcourse/blob/main/nbs/{nb.name}' in ''.join(cs[0]['source'])
    code = [''.join(c['source']) for c in cs if c['cell_type'] == 'code']
    install = next((c for c in code[:3] if 'pip' in c), None)
    assert install is not None and "if 'google.colab' in sys.modules" in install, 'no Colab-only install cell near the top'
    assert any(re.search(r'^report\(\)', c, re.M) for c in code), 'the lesson never prints the versions it ran with (report())'

@pytest.mark.parametrize('nb', LESSONS, ids=lambda p: p.name)
def test_lesson_has_questions_and_pitfalls(nb):
    md = '\n'.join(''.join(c['source']) for c in cells(nb) if c['cell_type'] == 'markdown')
    assert '## Questions' in md and '## Further reading' in md
