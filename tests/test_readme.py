"""The README stays true: its column reference is the schema's, its commands exist."""

from pathlib import Path

from graph.schema import columns_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_column_reference_is_current():
    start = README.index("<!-- columns:start -->\n") + len("<!-- columns:start -->\n")
    end = README.index("<!-- columns:end -->")
    assert README[start:end] == columns_markdown(), (
        "README column reference is out of date: regenerate it from graph.schema.columns_markdown()"
    )


def test_the_two_commands_come_first_and_ci_runs_the_test_command():
    blocks = README.split("```")
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    assert blocks[1].strip() == venv + "pip install -e . && streamlit run app.py"
    assert blocks[3].strip() == venv + "bash tests/run.sh"
    assert blocks[3].strip() in (ROOT / ".ci" / "run").read_text()


def test_report_in_readme_is_the_current_output():
    from graph.reports.findings import findings, render_report
    from loaders.load import load_memory

    start = README.index("### Findings for the bundled data")
    block = README[start:].split("```")[1].strip("\n")
    assert block == render_report(findings(load_memory())).rstrip(), (
        "README findings are out of date: paste the output of `python -m graph report`"
    )
