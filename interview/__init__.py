"""The mock interview (``kit-interview``) and the readiness report.

A timed loop of sections, each drawn from a bank the candidate has not seen recently:

- ``sql``: drills from the SQL round's bank (``drills``), graded on hidden data;
- ``python``: a coding task written to a file in a scratch folder, graded by running it against the sim
  with hidden fault plans (``interview/tasks/python/<id>/``);
- ``dag``: a DAG file written to a spec, loaded like the scheduler loads it and run on hidden days
  (``interview/tasks/dag/<id>/``);
- ``design``: a system-design prompt, self-graded against a rubric, then a model answer
  (``interview/design/<id>.md``);
- ``concepts``: flashcards that are due or weak, answered in writing.

``interview.tasks`` is the contract every coding task follows; a task is graded in a child process
(``python -m interview.grade_task``) so a candidate's infinite loop or crash cannot take the loop down.
"""

SECTIONS = ("sql", "python", "dag", "design", "concepts")
