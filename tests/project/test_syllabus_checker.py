"""The syllabus's DataQualityChecker (``syllabus/checker.py``, unchanged) against the sim: it reports exactly
the injected defects.

This is the ground truth the kit's own checker (solutions/) is measured against: the sim is faithful enough
that the syllabus's code runs verbatim, and the manifest says what a correct checker must find.
"""

from datetime import datetime

from syllabus.checker import DataQualityChecker

CONNECTION = {  # the syllabus's own parameters: the sim accepts any
    'user': 'airflow',
    'password': '{{ var.value.snowflake_password }}',
    'account': 'simplepractice',
    'warehouse': 'ANALYTICS_WH',
    'database': 'ANALYTICS',
    'schema': 'MARTS'
}


def run_syllabus_checks():
    """The syllabus's run_quality_checks, minus the raise, so the report can be compared."""
    checker = DataQualityChecker(CONNECTION)
    checker.check_row_count('fct_appointments', min_rows=1000)
    checker.check_null_percentage('fct_appointments', 'client_id', max_null_pct=0.1)
    checker.check_referential_integrity('fct_appointments', 'client_id', 'dim_clients', 'client_id')
    checker.check_date_range('fct_appointments', 'appointment_date', '2020-01-01',
                             datetime.now().strftime('%Y-%m-%d'))
    checker.check_duplicate_keys('fct_appointments', ['appointment_id'])
    return checker.get_report()


def test_clean_world_passes(world):
    assert run_syllabus_checks() == {'status': 'PASSED', 'failure_count': 0}


def test_reports_exactly_the_injected_defects(start_world):
    world = start_world(defects={"null_client_id": 0.1, "orphan_client_id": 3, "duplicate_appointment_id": 2,
                                 "out_of_range_date": 2})
    m = world.manifest
    total = world.warehouse.query("SELECT COUNT(*) FROM fct_appointments")[0][0]
    null_pct = m.defects["null_client_id"].count / total * 100
    assert run_syllabus_checks() == {
        'status': 'FAILED',
        'failure_count': 4,
        'failures': [
            f"fct_appointments.client_id: {null_pct:.1f}% nulls, max allowed 0.1%",
            "fct_appointments.client_id: 3 orphaned records",
            "fct_appointments.appointment_date: 2 dates outside 2020-01-01 to "
            + datetime.now().strftime('%Y-%m-%d'),
            "fct_appointments: 2 duplicate key combinations (appointment_id)",
        ],
    }
