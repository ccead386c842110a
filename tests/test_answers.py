"""Every lesson's questions have worked answers, in a collapsible `<details>` cell after them (fastbook's questionnaire
style), one numbered answer per question. WITHOUT lists the lessons still to get theirs; it can only shrink."""
import json, re
import pytest
from conftest import ROOT, LESSONS
WITHOUT = set()                      # every lesson has its answers

def questions_and_answers(fn):
    "The number of questions and of answers in notebook `fn` (None for the answers if it has no answers cell)."
    cells = [''.join(c['source']) for c in json.loads(fn.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'markdown']
    q = next((s for s in cells if '## Questions' in s), None)
    if q is None: return 0, None
    q = q.split('## Questions', 1)[1].split('\n## ', 1)[0]
    a = next((s for s in cells if s.startswith('<details>') and '<b>Answers</b>' in s), None)
    count = lambda s: len(re.findall(r'^\d+\. ', s, re.M))
    return count(q), None if a is None else count(a)

@pytest.mark.parametrize('fn', LESSONS, ids=lambda f: f.stem)
def test_questions_have_answers(fn):
    n_q, n_a = questions_and_answers(fn)
    assert n_q > 0, f'{fn.name}: no questions'
    if fn.stem in WITHOUT: assert n_a is None, f'{fn.name} has answers now: remove it from WITHOUT'
    else: assert n_a == n_q, f'{fn.name}: {n_q} questions, {n_a} answers'
