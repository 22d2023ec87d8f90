"""The syllabus's own code, pasted unchanged: what the kit runs as written, measures, and corrects.

One module per pattern, exactly as the syllabus prints it: ``checker`` (the Data Quality Checker class and its
Airflow task), ``extractor`` (the API Extractor class and its task), ``rate_limiter`` (the rate-limit
decorator). Notebooks show and run these modules, tests run them against the sim, and the benchmarks use them
as baselines, instead of each pasting its own copy. Production code never imports them.
"""
