"""The mock interview's dag tasks, part 1 of 2: each reference passes its hidden checks; each wrong solution
fails for its documented reason (tests/interview/interview_bank.py)."""

from interview_bank import bank_tests

test_reference_passes_every_hidden_check, test_each_wrong_solution_fails_for_its_documented_reason = bank_tests(
    "dag", part=1, parts=2)
