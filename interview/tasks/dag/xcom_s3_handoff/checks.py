"""Hidden checks of partner_s3_handoff: a hidden day is run twice; S3, the XCom between the tasks and the
warehouse are inspected after each run."""

from __future__ import annotations

from interview.dag_checks import DagGrading, Mismatch, expect, expect_edges, expect_states, landed, served

DAY, LOGICAL = "2025-09-16", "2025-09-17"
XCOM_LIMIT = 200  # characters: a key, a path, a small dict; never the day's records


def check(solution):
    grading = DagGrading(solution, file="partner_handoff.py")
    with grading.world() as world:
        dag = grading.load("partner_s3_handoff")

        def keys() -> list[str]:
            return [key for key in world.s3.keys("partner/extracts/") if DAY in key]

        @grading.check("extract_to_s3 >> load_from_s3")
        def _():
            expect_edges(dag, {("extract_to_s3", "load_from_s3")})

        @grading.check("a day lands whole through one S3 object and the XCom is its key")
        def _():
            summary = grading.run(dag, LOGICAL)
            expect_states(summary, {"extract_to_s3": "success", "load_from_s3": "success"}, run="success")
            handed = summary["extract_to_s3"].xcoms.get("return_value")
            if len(repr(handed)) > XCOM_LIMIT:
                raise Mismatch(f"extract_to_s3 pushed {len(repr(handed)):,} characters through XCom (a "
                               f"{type(handed).__name__}): XCom lives in the metadata DB; hand over the S3 "
                               "key")
            if not keys():
                raise Mismatch(f"no object under s3://{world.s3.bucket}/partner/extracts/ for {DAY}")
            expect(landed(world, DAY), served(world, DAY), f"rows landed for {DAY}")

        @grading.check("a rerun of the day leaves one object and one copy of each appointment")
        def _():
            expect_states(grading.run(dag, LOGICAL), {"load_from_s3": "success"}, run="success")
            expect(len(keys()), 1, f"objects for {DAY} after two runs ({keys()})")
            expect(landed(world, DAY), served(world, DAY), f"rows landed for {DAY} after two runs")

    return grading.results()
