"""Configuration files, their keys, the command-line flags that override them, and `vaultlint config`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_vault
from vaultlint.cli import main
from vaultlint.config import CommandLine, ConfigError, resolve_settings
from vaultlint.registry import discover_rules

# [[Gone/x]] names a folder: always VL101. [[not yet]]: VL102.
NOTES = {
    "Index.md": "# Index\n\n[[Gone/x]] [[not yet]]\n",
    "Daily/2024-01-01.md": "[[Gone/daily]]\n",
    "Templates/Paper.md": "[[Gone/template]] [[{{title}}]]\n",
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder holding a vault (``vault/``); tests run from the folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAULTLINT_ARXIV_API_URL", raising=False)
    monkeypatch.delenv("VAULTLINT_ARXIV_MIN_INTERVAL", raising=False)

    def make(files=NOTES, config: dict[str, str] | None = None) -> Path:
        write_vault(tmp_path / "vault", files)
        for name, text in (config or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path / "vault"

    return make


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def found(result) -> list[tuple[str, str]]:
    """(path, code) of each finding in concise output."""
    pairs = []
    for line in result.output.splitlines():
        if ": VL" in line:
            location, rest = line.split(": ", 1)
            pairs.append((location.rsplit(":", 2)[0].removeprefix("vault/"), rest.split()[0]))
    return pairs


ALL = [("Daily/2024-01-01.md", "VL101"), ("Index.md", "VL101"), ("Index.md", "VL102"), ("Templates/Paper.md", "VL101"), ("Templates/Paper.md", "VL102")]


def test_no_config_reports_everything(project):
    project()
    assert found(run("check", "vault", "--output-format", "concise")) == ALL


# --- finding the file ----------------------------------------------------------------------


def test_vaultlint_toml_in_the_vault(project):
    project(config={"vault/.vaultlint.toml": 'ignore = ["VL102"]\n'})
    assert ("Index.md", "VL102") not in found(run("check", "vault", "--output-format", "concise"))


def test_pyproject_table_in_a_parent_folder(project):
    project(config={"pyproject.toml": '[project]\nname = "notes"\n\n[tool.vaultlint]\nignore = ["uncreated-note"]\n'})
    assert found(run("check", "vault", "--output-format", "concise")) == [p for p in ALL if p[1] != "VL102"]


def test_pyproject_without_the_table_is_passed_over(project):
    project(config={"vault/pyproject.toml": '[project]\nname = "x"\n', ".vaultlint.toml": 'ignore = ["VL102"]\n'})
    assert all(code != "VL102" for _, code in found(run("check", "vault", "--output-format", "concise")))


def test_vaultlint_toml_beats_pyproject_in_the_same_folder(project):
    project(config={"vault/.vaultlint.toml": 'ignore = ["VL101"]\n', "vault/pyproject.toml": '[tool.vaultlint]\nignore = ["VL102"]\n'})
    assert {code for _, code in found(run("check", "vault", "--output-format", "concise"))} == {"VL102"}


def test_the_nearest_file_wins(project):
    project(config={"vault/.vaultlint.toml": 'ignore = ["VL101"]\n', ".vaultlint.toml": 'ignore = ["VL102"]\n'})
    assert {code for _, code in found(run("check", "vault", "--output-format", "concise"))} == {"VL102"}


def test_config_path_names_the_file(project):
    project(config={"elsewhere/lint.toml": 'select = ["VL102"]\n', "vault/.vaultlint.toml": 'ignore = ["VL102"]\n'})
    result = run("check", "vault", "--config", "elsewhere/lint.toml", "--output-format", "concise")
    assert {code for _, code in found(result)} == {"VL102"}


def test_config_path_to_a_pyproject(project):
    project(config={"elsewhere/pyproject.toml": '[tool.vaultlint]\nselect = ["VL102"]\n'})
    result = run("check", "vault", "--config", "elsewhere/pyproject.toml", "--output-format", "concise")
    assert {code for _, code in found(result)} == {"VL102"}
    missing = run("check", "vault", "--config", "vault/Index.md")
    assert missing.exit_code == 2 and "invalid TOML" in missing.output


def test_config_override_replaces_one_key(project):
    project(config={"vault/.vaultlint.toml": 'ignore = ["VL102"]\nexclude = ["Templates/"]\n'})
    result = run("check", "vault", "--config", "ignore = ['VL101']", "--output-format", "concise")
    assert found(result) == [("Index.md", "VL102")]  # the file's exclude still holds


def test_isolated_ignores_files(project):
    project(config={"vault/.vaultlint.toml": 'select = ["VL102"]\n'})
    assert found(run("check", "vault", "--isolated", "--output-format", "concise")) == ALL
    both = run("check", "vault", "--isolated", "--config", "vault/.vaultlint.toml")
    assert both.exit_code == 2 and "--isolated" in both.output


def test_config_errors_for_missing_files_and_two_files(project):
    project(config={"a.toml": "", "b.toml": ""})
    missing = run("check", "vault", "--config", "nope.toml")
    assert missing.exit_code == 2 and "--config: no such file: nope.toml" in missing.output
    two = run("check", "vault", "--config", "a.toml", "--config", "b.toml")
    assert two.exit_code == 2 and "only one configuration file" in two.output
    bad = run("check", "vault", "--config", "ignore = [")
    assert bad.exit_code == 2 and "not a valid TOML 'KEY = VALUE' override" in bad.output


# --- selection -------------------------------------------------------------------------------


def test_select_and_extend_select_from_the_file(project):
    project(config={".vaultlint.toml": 'select = ["VL101"]\nextend-select = ["uncreated-note"]\nignore = ["VL1"]\n'})
    assert found(run("check", "vault", "--output-format", "concise")) == []  # ignore wins within the file
    project(config={".vaultlint.toml": 'select = ["VL101"]\nextend-select = ["uncreated-note"]\n'})
    assert found(run("check", "vault", "--output-format", "concise")) == ALL


def test_command_line_select_replaces_the_files_selection(project):
    project(config={".vaultlint.toml": 'ignore = ["VL102"]\n'})
    assert {code for _, code in found(run("check", "vault", "--select", "VL102", "--output-format", "concise"))} == {"VL102"}
    extended = run("check", "vault", "--extend-select", "VL102", "--output-format", "concise")
    assert {code for _, code in found(extended)} == {"VL101", "VL102"}
    ignored = run("check", "vault", "--select", "VL1", "--ignore", "VL101", "--output-format", "concise")
    assert {code for _, code in found(ignored)} == {"VL102"}


def test_per_file_ignores(project):
    config = '[per-file-ignores]\n"Daily/**" = ["VL101"]\n"Templates/" = ["uncreated-note", "VL101"]\n"Index.md" = ["VL102"]\n'
    project(config={"vault/.vaultlint.toml": config})
    assert found(run("check", "vault", "--output-format", "concise")) == [("Index.md", "VL101")]


def test_patterns_are_relative_to_the_config_files_folder(project):
    project(config={"pyproject.toml": '[tool.vaultlint]\nexclude = ["/vault/Templates/"]\nper-file-ignores = {"vault/Daily/*" = ["ALL"]}\n'})
    assert found(run("check", "vault", "--output-format", "concise")) == [("Index.md", "VL101"), ("Index.md", "VL102")]


# --- exclusions ------------------------------------------------------------------------------


def test_excluded_notes_are_indexed_but_not_reported(project):
    files = {**NOTES, "Index.md": "[[Templates/Paper]] [[Paper]] [[Gone/x]]\n"}
    project(files, config={"vault/.vaultlint.toml": 'exclude = ["Templates/", "Daily"]\n'})
    result = run("check", "vault", "--output-format", "concise")
    assert found(result) == [("Index.md", "VL101")]  # links to the excluded note resolve
    assert "1 of 1 notes checked" in result.output
    named = run("check", "vault/Templates/Paper.md", "--output-format", "concise")  # as pre-commit passes it
    assert named.exit_code == 0 and "0 notes checked" in named.output


def test_extend_exclude_and_command_line_exclude(project):
    project(config={"vault/.vaultlint.toml": 'exclude = ["Templates/"]\nextend-exclude = ["Daily/"]\n'})
    assert found(run("check", "vault", "--output-format", "concise")) == [("Index.md", "VL101"), ("Index.md", "VL102")]
    replaced = run("check", "vault", "--exclude", "Index.md", "--output-format", "concise")
    assert {path for path, _ in found(replaced)} == {"Templates/Paper.md"}  # the file's extend-exclude stays
    extended = run("check", "vault", "--extend-exclude", "Index.md", "--output-format", "concise")
    assert found(extended) == []


def test_gitignore_is_honoured(project, tmp_path):
    project(config={"vault/.gitignore": "Templates/\n", "vault/Daily/.gitignore": "*.md\n"})
    assert found(run("check", "vault", "--output-format", "concise")) == [("Index.md", "VL101"), ("Index.md", "VL102")]
    everything = run("check", "vault", "--no-respect-gitignore", "--output-format", "concise")
    assert found(everything) == ALL


def test_gitignore_of_the_repository_above_the_vault(project, tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("vault/Daily/\n")
    project(config={".gitignore": "/vault/Templates/\n"})
    assert found(run("check", "vault", "--output-format", "concise")) == [("Index.md", "VL101"), ("Index.md", "VL102")]


def test_nested_gitignore_can_re_include(project):
    project(config={"vault/.gitignore": "*.md\n", "vault/Daily/.gitignore": "!*.md\n"})
    assert found(run("check", "vault", "--output-format", "concise")) == [("Daily/2024-01-01.md", "VL101")]


def test_respect_gitignore_false_in_the_file_and_the_flag_over_it(project):
    project(config={"vault/.gitignore": "Templates/\n", "vault/.vaultlint.toml": "respect-gitignore = false\n"})
    assert found(run("check", "vault", "--output-format", "concise")) == ALL
    assert ("Templates/Paper.md", "VL101") not in found(run("check", "vault", "--respect-gitignore", "--output-format", "concise"))


# --- fixes -----------------------------------------------------------------------------------------


FIXABLE = {"Index.md": "[[Old/Target]] [[Target#Methd]]\n", "New/Target.md": "# Target\n## Method\n"}


def test_unfixable_rules_are_reported_without_a_fix(project):
    root = project(FIXABLE, config={"vault/.vaultlint.toml": 'unfixable = ["VL101"]\n'})
    report = run("check", "vault", "--output-format", "json")
    fixes = {f["code"]: f["fix"] for f in json.loads(report.output)["findings"]}
    assert fixes["VL101"] is None and fixes["VL103"] is not None
    run("fix", "vault", "--unsafe-fixes")
    assert (root / "Index.md").read_text() == "[[Old/Target]] [[Target#Method]]\n"


def test_fixable_narrows_and_flags_override(project):
    root = project(FIXABLE, config={"vault/.vaultlint.toml": 'fixable = ["VL101"]\n'})
    assert run("fix", "vault", "--diff", "--unsafe-fixes").output.count("+[[New/Target]] [[Target#Methd]]") == 1
    assert "+[[Old/Target]] [[Target#Method]]" in run("fix", "vault", "--diff", "--unsafe-fixes", "--fixable", "VL103").output
    assert "+++" not in run("fix", "vault", "--diff", "--unsafe-fixes", "--unfixable", "ALL").output
    assert (root / "Index.md").read_text() == FIXABLE["Index.md"]


# --- rule options ------------------------------------------------------------------------------------


TIES = {"Projects/Notes.md": "# N\n", "Archive/2023/Notes.md": "# N\n", "p/Dup.md": "", "q/Dup.md": "", "x/src.md": "[[Notes]] [[Dup]]\n"}


@pytest.mark.parametrize("table", ["rules.VL105", "rules.ambiguous-link", 'rules."VL105"'])
def test_rule_options_by_code_or_name(project, table):
    project(TIES, config={"vault/.vaultlint.toml": f"[{table}]\nonly-unstable = true\n"})
    result = run("check", "vault", "--select", "VL105", "--output-format", "concise")
    assert result.output.count("VL105") == 1 + 1 and "[[Dup]]" in result.output  # one finding + summary line


def test_rule_option_on_the_command_line_overrides_the_file(project):
    project(TIES, config={"vault/.vaultlint.toml": "[rules.VL105]\nonly-unstable = true\n"})
    result = run("check", "vault", "--select", "VL105", "--rule-option", "VL105.only-unstable=false", "--output-format", "concise")
    assert "[[Notes]]" in result.output and "[[Dup]]" in result.output


# --- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "file, text, message",
    [
        (".vaultlint.toml", "selct = ['VL101']\n", ".vaultlint.toml:1: selct: unknown key (did you mean 'select'?)"),
        ("pyproject.toml", "[tool.vaultlint]\n\nignore = 'VL101'\n", "pyproject.toml:3: tool.vaultlint.ignore: expected an array of rule codes, prefixes or names, got a string"),
        (".vaultlint.toml", "select = ['VL999']\n", ".vaultlint.toml:1: select: unknown rule or prefix 'VL999'"),
        (".vaultlint.toml", "[per-file-ignores]\n'Daily/' = ['VL10x']\n", ".vaultlint.toml:2: per-file-ignores.Daily/: unknown rule or prefix 'VL10x'"),
        (".vaultlint.toml", "per-file-ignores = ['Daily/']\n", "per-file-ignores: expected a table of pattern = [codes], got an array"),
        (".vaultlint.toml", "exclude = 'Templates/'\n", "exclude: expected an array of gitignore-style patterns, got a string"),
        (".vaultlint.toml", "respect-gitignore = 'no'\n", "respect-gitignore: expected true or false, got a string"),
        (".vaultlint.toml", "unfixable = [1]\n", "unfixable: expected an array of rule codes"),
        (".vaultlint.toml", "[rules.VL999]\nx = 1\n", ".vaultlint.toml:1: rules.VL999: unknown rule 'VL999'"),
        (".vaultlint.toml", "[rules.VL105]\nonly-unstabel = true\n", ".vaultlint.toml:2: rules.VL105.only-unstabel: rule VL105 (ambiguous-link) has no option 'only-unstabel' (did you mean 'only-unstable'?)"),
        (".vaultlint.toml", "[rules.VL105]\nonly-unstable = 'yes'\n", ".vaultlint.toml:2: rules.VL105.only-unstable: expected a boolean, got a string"),
        (".vaultlint.toml", "[rules.VL107]\ncheck = 1\n", "rule VL107 (duplicate-block-id) has no option 'check' (it has no options)"),
        (".vaultlint.toml", "rules = 3\n", "rules: expected a table of rule tables, got an integer"),
        (".vaultlint.toml", "[rules]\nVL105 = true\n", "rules.VL105: expected a table of options, got a boolean"),
        (".vaultlint.toml", "[rules.VL105]\n[rules.ambiguous-link]\n", "rules.ambiguous-link: VL105 (ambiguous-link) is already configured as rules.VL105"),
        (".vaultlint.toml", "[online]\ntimout = 3\n", ".vaultlint.toml:2: online.timout: unknown key (did you mean 'timeout'?)"),
        (".vaultlint.toml", "[online]\ntimeout = '3'\n", "online.timeout: expected a number of seconds, got a string"),
        (".vaultlint.toml", "[online]\ntimeout = 0\n", "online.timeout: must be greater than 0, got 0"),
        (".vaultlint.toml", "[online]\narxiv-min-interval = -1\n", "online.arxiv-min-interval: must be 0 or more, got -1"),
        (".vaultlint.toml", "[online]\narxiv-api-url = 'export.arxiv.org'\n", "online.arxiv-api-url: expected an http:// or https:// URL, got 'export.arxiv.org'"),
        (".vaultlint.toml", "[online]\nuser-agent = ''\n", "online.user-agent: must not be empty"),
        (".vaultlint.toml", "online = 'yes'\n", "online: expected a table, got a string"),
        (".vaultlint.toml", "select = [\n", ".vaultlint.toml: invalid TOML:"),
        ("pyproject.toml", "[tool]\nvaultlint = 3\n", "pyproject.toml: tool.vaultlint must be a table"),
    ],
)
def test_bad_configuration_is_a_clear_error(project, file, text, message):
    project(config={f"vault/{file}": text})
    result = run("check", "vault")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"vaultlint: error: vault/{file}" in result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output


def test_bad_command_line_values_are_clear_errors(project):
    project()
    for args, message in [
        (["--select", "VL999"], "--select: unknown rule or prefix 'VL999'"),
        (["--fixable", "nope"], "--fixable: unknown rule or prefix 'nope'"),
        (["--rule-option", "VL105.no-such=1"], "has no option 'no-such'"),
        (["--rule-option", "VL105.only-unstable=maybe"], "expected true or false"),
        (["--rule-option", "VL999.x=1"], "unknown rule 'VL999'"),
    ]:
        result = run("check", "vault", *args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)


def test_bad_config_is_reported_before_the_vault_is_read(project, monkeypatch):
    import vaultlint.cli

    project(config={".vaultlint.toml": "selct = 1\n"})
    monkeypatch.setattr(vaultlint.cli.Vault, "load", lambda *a, **k: pytest.fail("vault read before the config was checked"))
    assert run("check", "vault").exit_code == 2


# --- online settings -----------------------------------------------------------------------------------


ONLINE = '[online]\narxiv-api-url = "https://arxiv.example/api"\narxiv-min-interval = 3\ncache-dir = "cache/arxiv"\ntimeout = 12.5\nuser-agent = "vaultlint-tests"\n'


def settings_for(root: Path, environment: dict | None = None, **cli):
    return resolve_settings(root, CommandLine(**cli), discover_rules(), environment or {})


def test_online_settings_by_kebab_case_key(project, tmp_path):
    root = project(config={".vaultlint.toml": ONLINE})
    settings = settings_for(root)
    assert settings.online_settings == {
        "arxiv-api-url": "https://arxiv.example/api",
        "arxiv-min-interval": 3.0,
        "cache-dir": str(tmp_path / "cache" / "arxiv"),
        "timeout": 12.5,
        "user-agent": "vaultlint-tests",
    }
    assert settings.online is False and settings_for(root, online=True).online is True


def test_environment_overrides_online_settings(project):
    root = project(config={".vaultlint.toml": ONLINE})
    settings = settings_for(root, {"VAULTLINT_ARXIV_API_URL": "http://localhost:8080/api", "VAULTLINT_ARXIV_MIN_INTERVAL": "0"})
    assert settings.online_settings["arxiv-api-url"] == "http://localhost:8080/api"
    assert settings.online_settings["arxiv-min-interval"] == 0.0
    with pytest.raises(ConfigError, match="environment variable VAULTLINT_ARXIV_MIN_INTERVAL: expected a number of seconds, got 'soon'"):
        settings_for(root, {"VAULTLINT_ARXIV_MIN_INTERVAL": "soon"})


def test_online_flag_and_settings_reach_the_rules(project, monkeypatch):
    import vaultlint.cli

    project(config={".vaultlint.toml": ONLINE})
    seen = []
    real = vaultlint.cli.Linter

    def spy(vault, rules, context, **kwargs):
        seen.append(context)
        return real(vault, rules, context, **kwargs)

    monkeypatch.setattr(vaultlint.cli, "Linter", spy)
    run("check", "vault", "--online", env={"VAULTLINT_ARXIV_MIN_INTERVAL": "7"})
    run("fix", "vault", "--diff")
    assert [c.online for c in seen] == [True, False]
    assert seen[0].online_settings["arxiv-min-interval"] == 7.0
    assert seen[1].online_settings["user-agent"] == "vaultlint-tests"


# --- vaultlint config --------------------------------------------------------------------------------


def test_config_command_shows_values_and_their_origin(project):
    project(config={"pyproject.toml": '[tool.vaultlint]\nignore = ["VL102"]\nexclude = ["/vault/Templates/"]\n[tool.vaultlint.rules.VL105]\nonly-unstable = true\n' + ONLINE.replace("[online]", "[tool.vaultlint.online]")})
    result = run("config", "vault", "--select", "VL1", "--rule-option", "VL101.check-comments=true", env={"VAULTLINT_ARXIV_API_URL": "http://localhost/api"})
    assert result.exit_code == 0, result.output
    lines = {line.split("#")[0].strip(): line.rsplit("# ", 1)[1] for line in result.output.splitlines() if "=" in line and "# " in line}
    assert lines['ignore = ["VL102"]'] == "pyproject.toml"
    assert lines['select = ["VL1"]'] == "command line --select"
    assert lines['exclude = ["/vault/Templates/"]'] == "pyproject.toml"
    assert lines["respect-gitignore = true"] == "default"
    assert lines["rules.VL105.only-unstable = true"] == "pyproject.toml"
    assert lines["rules.VL101.check-comments = true"] == "command line --rule-option"
    assert lines['online.arxiv-api-url = "http://localhost/api"'] == "environment variable VAULTLINT_ARXIV_API_URL"
    assert lines["online.timeout = 12.5"] == "pyproject.toml"
    assert "# configuration file: " in result.output and "pyproject.toml [tool.vaultlint]" in result.output
    # --select replaces the file's selection, its ignore included (as in ruff)
    assert "# rules enabled (7): VL101 VL102 VL103 VL104 VL105 VL106 VL107" in result.output
    assert "# notes excluded from reports: 1 of 3: Templates/Paper.md" in result.output


def test_config_command_without_a_file(project):
    project()
    result = run("config", "vault", "--isolated")
    assert result.exit_code == 0
    assert "# configuration file: none (--isolated)" in result.output
    assert 'select = ["ALL"]' in result.output


def test_readme_configuration_is_real_and_shows_every_key(tmp_path):
    """The README's example parses, validates, and names every key there is."""
    import re

    from vaultlint.config import ONLINE_KEYS, TOP_KEYS, load_config_file, validate_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    [example] = re.findall(r"```toml\n(.*?)```", section, re.S)
    (tmp_path / "pyproject.toml").write_text(example, encoding="utf-8")
    source, table = load_config_file(tmp_path / "pyproject.toml")
    values = validate_table(table, source, discover_rules())
    assert set(values) == set(TOP_KEYS)
    assert set(values["online"]) == set(ONLINE_KEYS)
    write_vault(tmp_path / "notes", {"a.md": "# A\n"})
    settings = resolve_settings(tmp_path / "notes", CommandLine(), discover_rules(), {})
    assert settings.config_file == tmp_path / "pyproject.toml"


def test_broken_pyproject_of_another_tool_is_passed_over(project):
    project(config={"vault/pyproject.toml": "[project\nname = 1\n", ".vaultlint.toml": 'ignore = ["VL102"]\n'})
    result = run("check", "vault", "--output-format", "concise")
    assert result.exit_code == 1 and all(code != "VL102" for _, code in found(result))
    project(config={"vault/pyproject.toml": "[tool.vaultlint\nignore = 1\n"})
    broken = run("check", "vault")
    assert broken.exit_code == 2 and "vault/pyproject.toml: invalid TOML" in broken.output


def test_invalid_pattern_is_a_clear_error(project):
    project(config={"vault/.vaultlint.toml": "exclude = ['!']\n"})
    result = run("check", "vault")
    assert result.exit_code == 2 and ".vaultlint.toml:1: exclude: invalid pattern" in result.output
