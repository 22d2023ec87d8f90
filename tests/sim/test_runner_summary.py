"""sim.runner_summary: how a run reads, as plain text in a terminal and as an HTML table in JupyterLab."""

from __future__ import annotations

from html.parser import HTMLParser

from sim.runner_summary import RunSummary, TaskResult

LONG = {"rows": list(range(40)), "table": "ANALYTICS.MARTS.FCT_APPOINTMENTS"}
PRINTED = "\n".join(f"extracted page {n} of the partner's appointments" for n in range(1, 10)) + "\n"


def summary() -> RunSummary:
    return RunSummary("clinic_appointments_pipeline", "2025-09-21", "failed", (
        TaskResult("wait_for_partner_file", "success", 1),  # no XCom, printed nothing
        TaskResult("extract", "success", 1, {"return_value": 61, "pages": 1}, "extracted 61 appointments\n"),
        TaskResult("dbt_test", "failed", 1, {"return_value": LONG}, PRINTED,
                   error="AirflowFailException: 1 dbt test FAILED <relationships>"),
        TaskResult("notify_slack", "upstream_failed", 0),
    ))


class Cells(HTMLParser):
    """Every td/th with its style and text, and the details blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self.details: list[str] = []
        self.summaries: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        if tag in ("td", "th"):
            self.cells.append({"tag": tag, "style": dict(attrs).get("style", ""), "text": "", "html": []})
        elif tag == "details":
            self.details.append("")
        elif tag == "summary":
            self.summaries.append("")
        elif self.cells and "td" in self.stack:
            self.cells[-1]["html"].append(tag)  # elements inside the cell

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        if self.cells and ("td" in self.stack or "th" in self.stack):
            self.cells[-1]["text"] += data
        if "details" in self.stack and self.details:
            self.details[-1] += data
        if "summary" in self.stack and self.summaries:
            self.summaries[-1] += data


def parsed(run: RunSummary) -> Cells:
    cells = Cells()
    cells.feed(run._repr_html_())
    return cells


def test_the_text_form_is_a_fixed_width_table_for_terminals():
    text = str(summary()).splitlines()
    assert text[0] == ("FAILED clinic_appointments_pipeline @ 2025-09-21: dbt_test failed after 1 try - "
                       "AirflowFailException: 1 dbt test FAILED <relationships>")
    assert text[1].split() == ["task", "state", "tries", "xcom", "printed"]
    assert text[2].split() == ["wait_for_partner_file", "success", "1"]
    assert text[3].split()[:4] == ["extract", "success", "1", "61,"]  # return value, then key=value
    assert "..." in text[4] and len(text) == 2 + 4 + 8  # dbt_test's 9 printed lines, one row each


def test_every_cell_is_left_aligned_and_wraps_at_words_never_inside_one():
    cells = parsed(summary()).cells
    assert len(cells) == 5 * 5  # header + 4 tasks, 5 columns
    for c in cells:
        assert "text-align:left" in c["style"], c
        assert "word-break:normal" in c["style"] and "word-break:break-all" not in c["style"]
    html = summary()._repr_html_()
    assert "<pre" not in html  # JupyterLab breaks <pre> inside table cells anywhere ("F/AILED")


def test_an_empty_xcom_cell_is_empty_not_a_grey_box():
    cells = parsed(summary()).cells
    wait_row = cells[5:10]
    assert wait_row[0]["text"] == "wait_for_partner_file"
    assert wait_row[3]["text"] == "" and wait_row[3]["html"] == []  # no <code> element to paint grey
    assert wait_row[4]["text"] == ""


def test_a_long_value_is_cut_short_with_the_whole_value_one_click_away():
    cells = parsed(summary())
    xcom = cells.cells[15 + 3]
    whole = repr(LONG)
    assert xcom["text"].startswith(whole[:41] + "...")
    assert any(whole in d for d in cells.details)  # <details> holds the full value
    extract = cells.cells[10 + 3]["text"]
    assert "61" in extract and "pages=1" in extract


def test_many_printed_lines_fold_after_the_first_six():
    cells = parsed(summary())
    printed = cells.cells[15 + 4]["text"]
    assert printed.startswith("extracted page 1 ") and "extracted page 6 " in printed
    assert "3 more line(s)" in cells.summaries
    assert any("extracted page 9 " in d and "extracted page 6 " not in d for d in cells.details)


def test_html_escapes_what_tasks_print_and_states_are_named():
    html = summary()._repr_html_()
    assert "&lt;relationships&gt;" in html and "<relationships>" not in html
    cells = parsed(summary()).cells
    assert [c["text"] for c in cells[1::5]][1:] == ["success", "success", "failed", "upstream_failed"]
    assert "FAILED clinic_appointments_pipeline @ 2025-09-21" in html


def test_the_html_is_deterministic():
    assert summary()._repr_html_() == summary()._repr_html_()
    assert RunSummary("d", "2025-09-01", "success", ())._repr_html_().count("<tr>") == 1
