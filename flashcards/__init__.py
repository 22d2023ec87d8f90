"""A spaced-repetition flashcard quiz for the interview syllabus.

The decks are Markdown files in ``flashcards/decks`` (one file per syllabus section, one ``## card-id``
block per card); ``kit-quiz`` schedules them with FSRS and keeps progress in SQLite.

One module per concern:

- ``deck``       parse and lint the Markdown decks (every problem reported as file:line)
- ``scheduler``  a thin wrapper around the ``fsrs`` package (ratings, fixed clock, fuzzing switch)
- ``store``      progress in SQLite, one committed transaction per answered card
- ``planner``    which cards to show: due queue, daily new-card limit, cram, filters, shuffle
- ``answer``     typed-answer checking (rapidfuzz plus accepted aliases)
- ``ui``         rich rendering on a terminal, plain text otherwise
- ``session``    the study loop
- ``stats``      reviews today, retention, due forecast, streak, weakest tags
- ``export``     Anki .apkg (genanki) and CSV
- ``cli``        the ``kit-quiz`` command

Start-up matters (the first card should appear within 0.3 s), so nothing here imports Airflow, duckdb or
pandas, and the heavier libraries (rich, fsrs, rapidfuzz, genanki) are imported where they are used.
"""
