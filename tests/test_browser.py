"""The lessons as a learner meets them in JupyterLab: a real JupyterLab server on a free local port with a token, driven
by Playwright with the system's Chromium. Lessons 00 and 02 are opened and run cell by cell (Run All) in the smoke preset;
no cell may show an error, and lesson 02's explorer widget must render and answer a change. Screenshots of each lesson
after its run, and of the widget before and after the change, are written to tests/screenshots/ (git-ignored).

The lessons run from a copy of the project (nbs/, settings.ini, pyproject.toml), so that JupyterLab's autosave and the
lessons' own `nbdev_export()` cell never touch the repository. Skipped, with the reason, where Playwright or Chromium is
missing; `.ci/run` installs Chromium with the OS package manager and the dev extras install Playwright."""
import os, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest
from conftest import ROOT

SHOTS = ROOT/'tests'/'screenshots'
CHROMIUM = next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)
sync_api = pytest.importorskip('playwright.sync_api', reason='Playwright is not installed (the dev extras install it)')
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='no Chromium on PATH (.ci/run installs it with the OS package manager)')

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    "A JupyterLab server on a copy of the project; yields (base URL, token)."
    proj = tmp_path_factory.mktemp('lab')/'ftcourse'
    shutil.copytree(ROOT/'nbs', proj/'nbs')
    for f in ('settings.ini', 'pyproject.toml'): shutil.copy(ROOT/f, proj/f)
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, 'FTCOURSE_PRESET': 'smoke', 'JUPYTER_CONFIG_DIR': str(proj.parent/'config'),
           'JUPYTERLAB_SETTINGS_DIR': str(proj.parent/'settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(proj.parent/'workspaces')}
    log = open(proj.parent/'jupyterlab.log', 'w')
    server = subprocess.Popen([sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
                               f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={proj/"nbs"}', '--LabApp.expose_app_in_browser=True',
                               *(['--allow-root'] if hasattr(os, 'geteuid') and os.geteuid() == 0 else [])],     # CI machines often run as root
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    for _ in range(120):
        if server.poll() is not None: break                                   # it exited: no point waiting
        try:
            urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2); break
        except OSError: time.sleep(0.5)
    else:
        server.kill(); pytest.fail('JupyterLab did not start: ' + (proj.parent/'jupyterlab.log').read_text()[-2000:])
    yield url, token
    server.terminate()
    try: server.wait(timeout=20)
    except subprocess.TimeoutExpired: server.kill()
    log.close()

@pytest.fixture(scope='module')
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-dev-shm-usage'])
        yield b
        b.close()

PROMPTS = "() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'), e => e.textContent.trim())"
ERRORS = '.jp-NotebookPanel:not(.lm-mod-hidden) [data-mime-type="application/vnd.jupyter.error"]'
KERNEL = "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status"

def run_lesson(page, url, token, name, timeout=300):
    "Open lesson `name`, wait for its kernel, Run All, wait until every code cell has run; returns the error outputs' text."
    page.goto(f'{url}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={token}')   # a fresh workspace: only this lesson open
    page.wait_for_selector('.jp-NotebookPanel .jp-CodeCell', timeout=120_000)
    page.wait_for_function(f"() => ({KERNEL})() === 'idle'", timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    start, errors = time.time(), []
    while time.time() - start < timeout:
        time.sleep(1)
        errors = page.eval_on_selector_all(ERRORS, 'els => els.map(e => e.textContent)')
        if errors: break                                                      # Run All stops at an error
        prompts = page.evaluate(PROMPTS)
        if prompts and all(p.startswith('[') and p[1:-2].strip().isdigit() for p in prompts) and page.evaluate(KERNEL) == 'idle': break
    else:
        page.screenshot(path=str(SHOTS/f'{Path(name).stem}-timeout.png'))
        pytest.fail(f'{name}: not every cell ran in {timeout} s: {page.evaluate(PROMPTS)}')
    return errors

@pytest.mark.parametrize('name', ['00_core.ipynb', '02_freezing.ipynb'])
def test_lesson_runs_in_jupyterlab(lab, browser, name):
    url, token = lab
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={'width': 1400, 'height': 1000})
    errors = run_lesson(page, url, token, name)
    page.screenshot(path=str(SHOTS/f'{Path(name).stem}.png'))
    assert not errors, f'{name}: error output in JupyterLab: ' + errors[0][-1500:]
    if name == '02_freezing.ipynb': check_explorer(page)
    page.close()

def check_explorer(page):
    "Lesson 02's `freeze_explorer`: the widget renders, and ticking its discriminative box changes the rates it shows."
    explorer = page.locator('.widget-interact').last
    explorer.scroll_into_view_if_needed()
    table = explorer.locator('table')
    table.wait_for(timeout=30_000)
    before = table.inner_text()
    explorer.screenshot(path=str(SHOTS/'02_explorer_before.png'))
    explorer.locator('.widget-checkbox input[type=checkbox]').check()
    page.wait_for_function("b => { const t = [...document.querySelectorAll('.widget-interact')].pop().querySelector('table'); return t && t.innerText !== b }",
                           arg=before, timeout=30_000)
    after = table.inner_text()
    explorer.screenshot(path=str(SHOTS/'02_explorer_after.png'))
    assert before != after and '1.00e-05' in after, (before, after)  # slice(lr/100, lr), lr 1e-3: the first group at 1e-05
