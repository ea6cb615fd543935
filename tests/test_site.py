"""Site-file validation on real TOML files: each mistake is reported with the file, the place and
what was expected. Every test starts from the demo site's text and breaks one thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.demo import DemoConfig
from connectors.registry import Registry
from console.model.screens import plan_screens
from console.site import Site, SiteError, load_site

DEMO_PATH = Path(__file__).resolve().parents[1] / "resources" / "sites" / "demo.toml"
DEMO_TEXT = DEMO_PATH.read_text(encoding="utf-8")
TOKEN_LINES = 'token_env = "IOC_CONTROL_TOKEN"\ntoken = "demo-token-change-me"\n'


@pytest.fixture(autouse=True)
def _no_token_in_env(monkeypatch):
    # The demo file names IOC_CONTROL_TOKEN; the machine running the tests must not change results.
    monkeypatch.delenv("IOC_CONTROL_TOKEN", raising=False)


def edited(old: str, new: str, text: str = DEMO_TEXT) -> str:
    assert text.count(old) >= 1, f"the demo site no longer contains {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, snippet: str) -> int:
    """1-based number of the first line containing ``snippet``."""
    for i, line in enumerate(text.splitlines(), start=1):
        if snippet in line:
            return i
    raise AssertionError(f"{snippet!r} not in the text")


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, registry: Registry) -> Site:
    return load_site(path, registry.types, registry.broken)


def site_error(tmp_path: Path, registry: Registry, text: str) -> SiteError:
    path = write(tmp_path, text)
    with pytest.raises(SiteError) as info:
        load(path, registry)
    err = info.value
    assert err.path == str(path)
    assert str(err).startswith(f"{path}: "), "the message must start with the file's path"
    assert err.problems, "a SiteError must list at least one problem"
    for problem in err.problems:
        assert problem in str(err)
    return err


def only_problem(err: SiteError, *parts: str) -> str:
    """The one problem mentioning all ``parts``; fails if none or several do."""
    hits = [p for p in err.problems if all(part in p for part in parts)]
    assert len(hits) == 1, f"expected one problem with {parts}, got {err.problems}"
    return hits[0]


# -- the demo site ---------------------------------------------------------------------------

def test_demo_site_loads_cleanly(registry):
    site = load(DEMO_PATH, registry)
    assert site.name == "IOC tỉnh Ninh Bình (demo)"
    assert (site.wall.rows, site.wall.cols) == (2, 3)
    assert site.wall.screens == ["WALL-1", "WALL-2", "WALL-3", "WALL-4", "WALL-5", "WALL-6"]
    assert site.wall.default_layout == "ops" and site.layouts["ops"].tile_count == 10
    assert {"1x1", "2x2", "3x3", "4x4", "1+5", "1+7", "hero", "ops"} <= set(site.layouts)
    assert [p.name for p in site.presets] == ["Giám sát chung", "Giao thông", "Giao ban"]
    assert all(p.origin == "site" for p in site.presets)
    config = site.connector_configs["demo"]
    assert isinstance(config, DemoConfig)
    assert (config.kpi_every_s, config.alert_every_s) == (2, 6)
    assert [u.code for u in site.units][:2] == ["p-ninhbinh", "w-hoalu"]
    assert site.control_token() == "demo-token-change-me"


def test_missing_file_names_the_path(tmp_path, registry):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(SiteError) as info:
        load(path, registry)
    assert str(info.value).startswith(str(path))
    assert "cannot read the file" in str(info.value)


# -- the [wall] table ------------------------------------------------------------------------

def test_missing_required_field(tmp_path, registry):
    text = edited("rows = 2\n", "")
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "wall.rows")
    assert "required field is missing" in problem
    assert f"line {line_of(text, '[wall]')}" in problem


def test_wrong_type(tmp_path, registry):
    text = edited("rows = 2\n", 'rows = "two"\n')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "wall.rows")
    line = line_of(text, 'rows = "two"')
    assert f"line {line}:" in problem
    assert "integer" in problem and "'two'" in problem


def test_unknown_field_is_called_a_typo(tmp_path, registry):
    text = edited("cols = 3\n", "colls = 3\n")
    err = site_error(tmp_path, registry, text)
    typo = only_problem(err, "wall.colls")
    assert f"line {line_of(text, 'colls = 3')}:" in typo
    assert "unknown field" in typo
    # The real field is then missing, and that is said too.
    assert "required field is missing" in only_problem(err, "wall.cols:")


def test_screens_must_fill_the_grid(tmp_path, registry):
    text = edited('"WALL-6"]', '"WALL-6", "WALL-7"]')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "wall")
    assert "2x3 wall needs 6 screen names, got 7" in problem
    assert f"line {line_of(text, '[wall]')}" in problem


def test_same_screen_twice(tmp_path, registry):
    text = edited('"WALL-6"]', '"WALL-5"]')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "wall", "WALL-5")
    assert "more than one display" in problem
    assert "WALL-6" not in problem


# -- connectors ------------------------------------------------------------------------------

def test_unknown_connector_type_lists_the_known_ones(tmp_path, registry):
    text = edited('type = "demo"', 'type = "vms"')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "connectors[0].type")
    assert "unknown connector type 'vms'" in problem
    known = problem.split("(known: ", 1)[1].rstrip(")").split(", ")
    assert {"cameras", "demo"} <= set(known) and known == sorted(known)


def test_unknown_connector_type_lists_broken_plugins_too(tmp_path, registry):
    reg = Registry(types=dict(registry.types), broken={"cctv": "ImportError: no module named cv3"})
    path = write(tmp_path, edited('type = "demo"', 'type = "vms"'))
    with pytest.raises(SiteError) as info:
        load(path, reg)
    problem = only_problem(info.value, "connectors[0].type")
    assert {"cameras", "cctv", "demo"} <= set(problem.split("(known: ", 1)[1].rstrip(")").split(", "))


def test_connector_settings_out_of_bounds(tmp_path, registry):
    text = edited("kpi_every_s = 2", "kpi_every_s = 0")
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "connectors[0].settings.kpi_every_s")
    assert f"line {line_of(text, 'kpi_every_s = 0')}:" in problem
    assert "greater than 0" in problem and "(got 0)" in problem


def test_connector_settings_unknown_key(tmp_path, registry):
    text = edited("kpi_every_s = 2", "kpi_evry_s = 2")
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "connectors[0].settings.kpi_evry_s")
    assert "unknown field" in problem


# -- syntax and encoding ---------------------------------------------------------------------

def test_broken_toml_syntax_names_the_line(tmp_path, registry):
    text = edited('level = "province"', 'level = "province')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "not valid TOML")
    line = line_of(text, 'level = "province')
    assert f"line {line}," in problem or f"line {line})" in problem


def test_file_that_is_not_utf8(tmp_path, registry):
    path = tmp_path / "latin1.toml"
    path.write_bytes(DEMO_TEXT.encode("utf-8").replace("Bình".encode(), "Bình".encode("latin-1")))
    with pytest.raises(SiteError) as info:
        load(path, registry)
    assert str(info.value).startswith(str(path))
    assert "not UTF-8" in only_problem(info.value, "UTF-8")


# -- layouts and presets ---------------------------------------------------------------------

def test_preset_naming_an_unknown_layout(tmp_path, registry):
    text = edited('layout = "3x3"', 'layout = "5x5"')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "presets[1].layout")
    assert "no layout named '5x5'" in problem
    assert "known:" in problem and "3x3" in problem and "ops" in problem


def test_custom_layout_with_overlapping_cells(tmp_path, registry):
    text = edited("{ row = 3, col = 3 },", "{ row = 3, col = 2 },")
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "layouts[0]")
    assert "'ops'" in problem
    assert "tiles 9 and 10 overlap" in problem and "(3, 2)" in problem


def test_every_problem_is_reported_at_once(tmp_path, registry):
    text = edited("kpi_every_s = 2", "kpi_every_s = 0", edited('layout = "3x3"', 'layout = "5x5"'))
    err = site_error(tmp_path, registry, text)
    only_problem(err, "connectors[0].settings.kpi_every_s")
    only_problem(err, "presets[1].layout")


# -- secrets from the environment ------------------------------------------------------------

def test_token_env_naming_an_unset_variable(tmp_path, registry, monkeypatch):
    monkeypatch.delenv("IOC_TEST_TOKEN_UNSET", raising=False)
    text = edited(TOKEN_LINES, 'token_env = "IOC_TEST_TOKEN_UNSET"\n')
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "control.token_env")
    assert "environment variable IOC_TEST_TOKEN_UNSET is not set" in problem


def test_token_env_reads_the_token_from_the_environment(tmp_path, registry, monkeypatch):
    secret = "tok-from-env-7f3a9c"
    monkeypatch.setenv("IOC_TEST_TOKEN", secret)
    site = load(write(tmp_path, edited(TOKEN_LINES, 'token_env = "IOC_TEST_TOKEN"\n')), registry)
    assert site.control_token() == secret
    assert secret not in repr(site.spec)
    assert secret not in str(site.spec)
    assert secret not in repr(site)
    assert secret not in site.spec.model_dump_json()


def test_token_env_falls_back_to_the_file_when_unset(registry):
    site = load(DEMO_PATH, registry)
    assert site.control_token() == "demo-token-change-me"


def test_token_env_wins_over_the_file_whatever_the_order(tmp_path, registry, monkeypatch):
    monkeypatch.setenv("IOC_CONTROL_TOKEN", "tok-from-env-1b2c")
    reordered = edited(TOKEN_LINES, 'token = "demo-token-change-me"\ntoken_env = "IOC_CONTROL_TOKEN"\n')
    assert load(write(tmp_path, reordered, "b.toml"), registry).control_token() == "tok-from-env-1b2c"
    # The demo file's own order (token_env first, then token):
    assert load(DEMO_PATH, registry).control_token() == "tok-from-env-1b2c"


# -- screens ---------------------------------------------------------------------------------

def test_plan_screens_reports_a_missing_screen():
    wanted = {"D11": "WALL-1", "D12": "WALL-2", "D13": "WALL-9"}
    plan = plan_screens(wanted, "OPERATOR", ["OPERATOR", "WALL-1", "WALL-2"])
    assert plan.mapped == {"D11": "WALL-1", "D12": "WALL-2"}
    assert plan.missing == {"D13": "WALL-9"}
    assert not plan.complete
    assert plan.operator_screen == "OPERATOR"
    (problem,) = plan.problems()
    assert "D13" in problem and "WALL-9" in problem
    assert "D11" not in problem and "D12" not in problem


def test_plan_screens_complete_for_the_demo_wall(demo_site):
    from console.site import display_names

    names = display_names(demo_site.wall.rows, demo_site.wall.cols)
    wanted = dict(zip(names, demo_site.wall.screens, strict=True))
    available = ["OPERATOR", *demo_site.wall.screens]
    plan = plan_screens(wanted, demo_site.spec.operator.screen, available)
    assert plan.complete and plan.problems() == []
    assert plan.mapped == wanted
    assert plan.operator_screen == "OPERATOR"


# -- indicators, former unit codes, KPI tiles in presets ----------------------------------------

def test_demo_indicators_and_former_codes_load(registry):
    site = load(DEMO_PATH, registry)
    ids = [i.id for i in site.indicators]
    assert ids == ["aqi", "traffic", "dossier-late", "dossier-online", "reports"]
    online = next(i for i in site.indicators if i.id == "dossier-online")
    assert online.higher_is_better and (online.warning, online.critical) == (60, 45)
    assert site.formerly["d-tp-ninhbinh"] == "w-hoalu"


def test_a_critical_threshold_on_the_wrong_side_is_refused_with_its_line(tmp_path, registry):
    text = edited("warning = 100\ncritical = 150", "warning = 100\ncritical = 90")
    err = site_error(tmp_path, registry, text)
    problem = only_problem(err, "indicators[0]")
    assert "critical (90) must be beyond warning (100)" in problem
    # the line of the indicator's table in the file
    assert problem.startswith(f"line {text.splitlines().index('[[indicators]]') + 1}:")


def test_former_codes_and_kpi_tiles_are_checked(tmp_path, registry):
    text = edited('formerly = ["d-tp-namdinh"]', 'formerly = ["d-tp-ninhbinh"]')
    text = edited('"kpi/dossier-online"]', '"kpi/pm25?unit=w-nowhere"]', text)
    text = edited('"kpi/traffic?view=bars"', '"kpi/traffic?view=pie"', text)
    err = site_error(tmp_path, registry, text)
    assert "already taken over by 'w-hoalu'" in only_problem(err, "units[", "formerly")
    assert "no indicator 'pm25'" in only_problem(err, "presets[0].tiles[9]", "indicator")
    assert "no unit with code 'w-nowhere'" in only_problem(err, "presets[0].tiles[9]", "unit with code")
    assert "view 'pie'" in only_problem(err, "presets[1].tiles[6]")
